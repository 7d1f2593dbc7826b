"""The whole assessment loop through the REST API, every actor with its own token."""

import hashlib
import io

import pytest
from rest_framework.test import APIClient

from ims.api.models import ApiToken
from ims.assessments.models import Answer, Assessment, Evidence, Finding, ReportRevision, Status
from ims.assessments.workflow import transition
from ims.audit.models import AuditEvent
from ims.grants.models import AccessGrant
from ims.responses.models import ActionPlanItem, Objection
from tests.clients import API, put_finding, signed_in, step
from tests.factories import PASSWORD, answer_all, png_bytes, publish


def snapshot_finding(snapshot, code):
    return next(finding for finding in snapshot["findings"] if finding["question"] == code)


@pytest.mark.django_db
def test_the_whole_loop_through_the_api(team, content):
    monitor, monitor2, head = signed_in(team.monitor), signed_in(team.monitor2), signed_in(team.head)
    manager, buyer = signed_in(team.manager), signed_in(team.buyer)

    # The monitor plans the visit and starts it.
    planned = monitor.post(
        f"{API}/assessments/",
        {"factory": "TEAM-1", "checklist_version": content.code, "visit_start": "2026-11-02",
         "visit_end": "2026-11-03", "type": "assessment", "monitors": [team.monitor.email, "MONITOR2@team.example"]},
        format="json",
    )  # fmt: skip
    assert planned.status_code == 201, planned.content
    ref = planned.json()["ref"]
    assert ref == "TEAM-1-20261102"
    assert planned["Location"].endswith(f"{API}/assessments/{ref}/")
    assert [member["full_name"] for member in planned.json()["team"]] == ["monitor", "monitor2"]
    assert planned.json()["allowed_actions"] == ["start"]
    assert step(monitor, ref, "start").json()["status"] == "in_progress"

    # A few answers through the API, the rest through the service, then one edit based on what was read.
    created = put_finding(monitor, ref, "CL.1.1", "compliant")
    assert (created.status_code, created.json()["row_version"]) == (201, 1)
    assessment = Assessment.objects.get(ref=ref)
    answer_all(assessment, team.monitor, noncompliant=("OS.8.7", "CO.1.1"))
    listed = monitor.get(f"{API}/assessments/{ref}/findings/").json()
    assert len(listed) == content.questions.count()
    exits = next(finding for finding in listed if finding["question"] == "OS.8.7")
    edited = put_finding(monitor2, ref, "OS.8.7", "non_compliant", note="ច្រកចេញត្រូវបានចាក់សោ", note_language="km",
                         row_version=exits["row_version"])  # fmt: skip
    assert edited.status_code == 200, edited.content
    assert (edited.json()["row_version"], edited.json()["updated_by"]) == (2, "monitor2")

    photo = monitor.post(f"{API}/assessments/{ref}/findings/OS.8.7/evidence/", {"photo": io.BytesIO(png_bytes())},
                         format="multipart")  # fmt: skip
    assert photo.status_code == 201, photo.content
    assert photo.json()["content_type"] == "image/jpeg"
    assert Evidence.objects.get().finding.question.code == "OS.8.7"

    # Review: submitted, returned with a comment, resubmitted, approved.
    assert step(monitor, ref, "submit").json()["status"] == "submitted"
    returned = step(head, ref, "return", comment="Photograph the second exit too")
    assert returned.json()["status"] == "returned"
    history = monitor.get(f"{API}/assessments/{ref}/").json()["transitions"]
    assert (history[-1]["action"], history[-1]["actor"]) == ("return", "head")
    assert history[-1]["comment"] == "Photograph the second exit too"
    assert step(monitor2, ref, "submit").json()["status"] == "submitted"
    approved = step(head, ref, "approve").json()
    assert (approved["status"], approved["current_revision"]) == ("approved", 1)
    assert approved["allowed_actions"] == ["reopen"]

    # The factory reads its report, objects to a finding and plans a correction.
    seen_by_factory = manager.get(f"{API}/assessments/{ref}/").json()
    assert seen_by_factory["status"] == "approved"
    assert "transitions" not in seen_by_factory  # the programme's internal review stays internal
    assert seen_by_factory["allowed_actions"] == []
    report = manager.get(f"{API}/assessments/{ref}/revisions/1/").json()
    assert snapshot_finding(report["snapshot"], "OS.8.7")["note"] == "ច្រកចេញត្រូវបានចាក់សោ"
    wage_id = snapshot_finding(report["snapshot"], "CO.1.1")["finding_id"]
    exit_id = snapshot_finding(report["snapshot"], "OS.8.7")["finding_id"]
    objected = manager.post(f"{API}/findings/{wage_id}/objections/", {"text": "工资已按最低工资支付"}, format="json",
                            HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert objected.status_code == 201, objected.content
    objection = objected.json()
    assert (objection["language"], objection["status"], objection["revision"]) == ("zh-hans", "open", 1)
    action = manager.post(f"{API}/findings/{exit_id}/actions/", {"action": "Remove padlocks", "owner": "Mr Dara",
                          "due_date": "2026-12-01"}, format="json")  # fmt: skip
    assert action.status_code == 201, action.content
    progressed = manager.patch(f"{API}/actions/{action.json()['id']}/", {"row_version": 1, "status": "in_progress",
                               "note": "Padlocks removed on floor 1"}, format="json")  # fmt: skip
    assert progressed.status_code == 200, progressed.content
    assert (progressed.json()["status"], progressed.json()["row_version"]) == ("in_progress", 2)
    assert progressed.json()["notes"][0]["text"] == "Padlocks removed on floor 1"
    assert [item["id"] for item in manager.get(f"{API}/actions/").json()["results"]] == [action.json()["id"]]

    # The head rules: the wage finding is revised, which publishes revision 2.
    waiting = head.get(f"{API}/objections/", {"status": "open"}).json()["results"]
    assert [open_objection["id"] for open_objection in waiting] == [objection["id"]]
    ruled = head.post(f"{API}/objections/{objection['id']}/ruling/",
                      {"decision": "revised", "ruling": "Payroll shows the minimum wage", "answer": "compliant"},
                      format="json")  # fmt: skip
    assert ruled.status_code == 200, ruled.content
    assert (ruled.json()["status"], ruled.json()["ruled_by"]) == ("revised", "head")
    revisions = manager.get(f"{API}/assessments/{ref}/revisions/").json()
    assert [(revision["number"], revision["is_current"]) for revision in revisions] == [(1, False), (2, True)]

    # The factory grants a buyer, who reads the current revision; revoking cuts it off at once.
    assert buyer.get(f"{API}/assessments/{ref}/revisions/2/").status_code == 404
    granted = manager.post(f"{API}/access-grants/", {"buyer": "Brand A"}, format="json")
    assert granted.status_code == 201, granted.content
    assert (granted.json()["buyer"]["name"], granted.json()["is_active"]) == ("Brand A", True)
    read = buyer.get(f"{API}/assessments/{ref}/revisions/2/")
    assert read.status_code == 200
    assert snapshot_finding(read.json()["snapshot"], "CO.1.1")["answer"] == "compliant"
    assert [assessment["ref"] for assessment in buyer.get(f"{API}/assessments/").json()["results"]] == [ref]
    revoked = manager.post(f"{API}/access-grants/{granted.json()['id']}/revoke/")
    assert (revoked.status_code, revoked.json()["is_active"]) == (200, False)
    assert buyer.get(f"{API}/assessments/{ref}/revisions/2/").status_code == 404
    assert buyer.get(f"{API}/assessments/").json()["results"] == []

    # Every step went through the services, which left the record.
    stored = Assessment.objects.get(ref=ref)
    assert stored.status == Status.APPROVED
    assert list(stored.transitions.values_list("action", flat=True)) == ["start", "submit", "return", "submit",
                                                                          "approve"]  # fmt: skip
    assert ReportRevision.objects.filter(assessment=stored).count() == 2
    assert Finding.objects.get(assessment=stored, question__code="CO.1.1").answer == Answer.COMPLIANT
    assert ActionPlanItem.objects.get().status == "in_progress"
    assert Objection.objects.get().status == "revised"
    assert AccessGrant.objects.get().revoked_by == team.manager
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"assessment.planned", "objection.filed", "objection.revised", "plan.added", "plan.updated",
            "access.granted", "access.revoked"} <= actions  # fmt: skip


@pytest.mark.django_db
def test_a_concurrent_edit_of_a_finding_answers_409_with_the_stored_finding(assessment, team):
    first, second = signed_in(team.monitor), signed_in(team.monitor2)
    step(first, assessment.ref, "start")
    put_finding(first, assessment.ref, "OS.3.1", "compliant")
    seen_by_both = first.get(f"{API}/assessments/{assessment.ref}/findings/").json()[0]["row_version"]

    saved = put_finding(first, assessment.ref, "OS.3.1", "non_compliant", note="Needle guards missing",
                        row_version=seen_by_both)  # fmt: skip
    assert saved.status_code == 200
    stale = put_finding(second, assessment.ref, "OS.3.1", "compliant", note="All fine", row_version=seen_by_both)

    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == "conflict"
    assert "monitor" in body["message"]
    current = body["details"]["current"]
    assert (current["answer"], current["note"], current["row_version"], current["updated_by"]) == (
        "non_compliant", "Needle guards missing", 2, "monitor"
    )  # fmt: skip
    stored = Finding.objects.get(assessment=assessment, question__code="OS.3.1")
    assert (stored.answer, stored.note, stored.row_version) == ("non_compliant", "Needle guards missing", 2)
    assert second.get(f"{API}/assessments/{assessment.ref}/findings/").json()[0]["note"] == "Needle guards missing"


@pytest.mark.django_db
def test_a_stale_action_update_answers_409_with_the_stored_action(assessment, team):
    publish(assessment, team, noncompliant=("OS.8.7", "CO.1.1"))
    manager = signed_in(team.manager)
    finding = assessment.findings.get(question__code="OS.8.7")
    item = manager.post(f"{API}/findings/{finding.pk}/actions/", {"action": "Unlock exits", "owner": "HR",
                        "due_date": "2026-12-01"}, format="json").json()  # fmt: skip
    manager.patch(f"{API}/actions/{item['id']}/", {"row_version": 1, "status": "done"}, format="json")

    stale = manager.patch(f"{API}/actions/{item['id']}/", {"row_version": 1, "status": "in_progress"}, format="json")

    assert stale.status_code == 409
    assert stale.json()["details"]["current"]["status"] == "done"
    assert ActionPlanItem.objects.get().status == "done"


@pytest.mark.django_db
def test_outside_the_programme_a_correction_in_progress_is_not_readable(assessment, team):
    publish(assessment, team, noncompliant=("OS.8.7", "CO.1.1"))
    url = f"{API}/assessments/{assessment.ref}/findings/"
    assert signed_in(team.manager).get(url).status_code == 200
    transition(assessment, "reopen", team.head, comment="Fixing a note")
    assert signed_in(team.manager).get(url).status_code == 403
    assert signed_in(team.head).get(url).status_code == 200
    assert signed_in(team.manager).get(f"{API}/assessments/{assessment.ref}/revisions/1/").status_code == 200


def test_tokens_are_stored_as_digests_and_stop_working_when_revoked(team):
    answer = APIClient().post(f"{API}/auth/token/", {"email": team.monitor.email, "password": PASSWORD}, format="json")
    key = answer.json()["token"]
    stored = ApiToken.objects.get(user=team.monitor)
    assert key not in (stored.digest, stored.prefix) and stored.digest == hashlib.sha256(key.encode()).hexdigest()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}/assessments/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    stored.delete()
    assert client.get(f"{API}/assessments/").status_code == 401
