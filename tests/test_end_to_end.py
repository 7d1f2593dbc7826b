"""The whole assessment loop over real HTTP (a live server on a loopback socket), role by role."""

import io
import json
import urllib.error
import urllib.request
import uuid
from datetime import date

from PIL import Image

from ims.assessments.models import Assessment, Finding, ReportRevision
from ims.checklists.models import Question
from ims.factories.models import Contact
from tests.clients import recovery_code
from tests.factories import PASSWORD, ensure_content


class Http:
    """A minimal HTTP client: JSON in and out, an optional API token, no redirects followed."""

    def __init__(self, base, token=None):
        self.base = base
        self.token = token

    def call(self, method, path, payload=None, *, body=None, content_type=None, key=None):
        headers = {"Accept": "application/json", "Accept-Language": "en"}
        if payload is not None:
            body, content_type = json.dumps(payload).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method, path, payload=None, expect=200, **options):
        status, content = self.call(method, path, payload, **options)
        assert status == expect, (method, path, status, content[:500])
        return json.loads(content) if content else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in(base, user):
    credentials = {"email": user.email, "password": PASSWORD}
    status, content = Http(base).call("POST", "/api/v1/auth/token/", credentials)
    if status == 400 and json.loads(content)["error"] == "second_factor_needed":
        credentials["code"] = recovery_code(user)  # the head's account has a second factor
    token = Http(base).json("POST", "/api/v1/auth/token/", credentials)["token"]
    return Http(base, token)


def multipart_photo():
    output = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(output, format="JPEG")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="exit.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + output.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_the_whole_loop_through_http_for_every_role(
    live_server, transactional_db, team, smtp_server, tasks_run_immediately, pdfs_not_typeset
):
    """Publication's emails go out as the head approves; its PDFs are test_report_documents.py's business."""
    ensure_content()
    base = live_server.url
    version = Question.objects.values_list("version__code", flat=True).first()
    Contact.objects.create(factory=team.factory, email="hr@team.example", preferred_language="zh-hans", is_primary=True)
    monitor, head = signed_in(base, team.monitor), signed_in(base, team.head)
    manager, buyer = signed_in(base, team.manager), signed_in(base, team.buyer)
    anonymous = Http(base)

    # The monitor plans, starts and answers every question, one request each, with a photo.
    planned = monitor.json("POST", "/api/v1/assessments/", {
        "factory": team.factory.ref, "checklist_version": version, "visit_start": "2026-11-02",
        "visit_end": "2026-11-03", "type": "assessment", "monitors": [team.monitor.email, team.monitor2.email],
    }, expect=201, key=str(uuid.uuid4()))  # fmt: skip
    ref = planned["ref"]
    monitor.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "start"})
    for question in Question.objects.filter(version__code=version).select_related("applies_if"):
        answer = (
            "non_compliant"
            if question.code == "OS.8.7"
            else "not_applicable"
            if question.applies_if_id
            else "compliant"
        )
        monitor.json("PUT", f"/api/v1/assessments/{ref}/findings/{question.code}/", {"answer": answer}, expect=201)
    body, content_type = multipart_photo()
    monitor.json("POST", f"/api/v1/assessments/{ref}/findings/OS.8.7/evidence/", body=body,
                 content_type=content_type, expect=201)  # fmt: skip

    # Submitted, returned with a comment, corrected, resubmitted and approved by the head.
    monitor.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "submit"})
    head.json(
        "POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "return", "comment": "Add a note on OS.8.7"}
    )
    findings = monitor.json("GET", f"/api/v1/assessments/{ref}/findings/")
    finding = next(item for item in findings if item["question"] == "OS.8.7")
    monitor.json("PUT", f"/api/v1/assessments/{ref}/findings/OS.8.7/", {
        "answer": "non_compliant", "note": "Rear exit padlocked at 18:30", "row_version": finding["row_version"],
    })  # fmt: skip
    monitor.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "submit"})
    head.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "approve"})
    assert Assessment.objects.get(ref=ref).status == "approved"

    # The factory contact was emailed in Chinese through a real SMTP server.
    (email,) = smtp_server.to("hr@team.example")
    assert team.factory.name_zh in email.body

    # The anonymous public sees the public summary, never the detail.
    status, page = anonymous.call("GET", f"/en/factories/{team.factory.ref}/")
    assert status == 200 and b"OS.8.7" in page and b"Rear exit padlocked" not in page
    assert anonymous.call("GET", f"/api/v1/assessments/{ref}/revisions/1/")[0] == 401
    assert anonymous.call("GET", f"/en/reports/{ref}/revisions/1/")[0] == 302

    # The factory reads its report, objects, posts an action, and grants its buyer access.
    revision = manager.json("GET", f"/api/v1/assessments/{ref}/revisions/1/")
    noncompliant = next(item for item in revision["snapshot"]["findings"] if item["question"] == "OS.8.7")
    objection = manager.json("POST", f"/api/v1/findings/{noncompliant['finding_id']}/objections/",
                             {"text": "出口在加班期间是开着的", "language": "zh-hans"}, expect=201)  # fmt: skip
    manager.json("POST", f"/api/v1/findings/{noncompliant['finding_id']}/actions/",
                 {"action": "Remove padlocks; check exits every shift", "owner": "Mr Chan", "due_date": "2026-12-15"},
                 expect=201)  # fmt: skip
    head.json(
        "POST",
        f"/api/v1/objections/{objection['id']}/ruling/",
        {"decision": "upheld", "ruling": "Photo shows the padlock"},
    )
    assert buyer.call("GET", f"/api/v1/assessments/{ref}/revisions/1/")[0] == 404
    grant = manager.json("POST", "/api/v1/access-grants/", {"buyer": team.buyer_org.name}, expect=201)
    assert buyer.json("GET", f"/api/v1/assessments/{ref}/revisions/1/")["number"] == 1
    assert signed_in(base, team.other_buyer).call("GET", f"/api/v1/assessments/{ref}/revisions/1/")[0] == 404

    # Revocation cuts the buyer off at once.
    manager.json("POST", f"/api/v1/access-grants/{grant['id']}/revoke/")
    assert buyer.call("GET", f"/api/v1/assessments/{ref}/revisions/1/")[0] == 404
    assert ReportRevision.objects.filter(assessment__ref=ref).count() == 1
    assert Finding.objects.filter(assessment__ref=ref).count() == Question.objects.filter(version__code=version).count()
    assert date.fromisoformat(revision["snapshot"]["assessment"]["visit_end"]) == date(2026, 11, 3)
