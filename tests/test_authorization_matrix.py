"""Every private page and API endpoint against every outsider: all refused, nothing leaked, nothing changed.

Outsiders: an anonymous visitor, the manager of another factory, a buyer the factory never granted,
a buyer whose grant was revoked, a buyer whose grant expired, and a partner analyst.
"""

import io
import json
from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from ims.access.models import AccessGrant
from ims.access.services import grant_access, revoke_access
from ims.api.models import ApiToken
from ims.assessments.evidence import attach_photo
from ims.assessments.models import Assessment, Finding
from ims.assessments.workflow import transition
from ims.audit.models import AuditEvent
from ims.responses.models import ActionPlanItem, Objection
from ims.responses.services import add_action, object_to_finding
from tests.conftest import answer_all

OUTSIDERS = ["anonymous", "other_manager", "buyer_never_granted", "buyer_revoked", "buyer_expired", "partner"]


def jpeg():
    output = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture
def world(assessment, team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    transition(assessment, "start", team.monitor)
    answer_all(assessment, team.monitor, noncompliant=("OS.8.7",))
    finding = assessment.findings.get(question__code="OS.8.7")
    evidence = attach_photo(finding, jpeg(), team.monitor)
    transition(assessment, "submit", team.monitor)
    transition(assessment, "approve", team.head)
    finding = Finding.objects.get(pk=finding.pk)
    objection = object_to_finding(finding, team.manager, "We disagree", "en")
    item = add_action(finding, team.manager, "Remove padlocks", "Mr Chan", date(2026, 12, 1))
    revoked = grant_access(team.factory, team.buyer_org, team.manager)
    revoke_access(revoked, team.manager)
    return {"assessment": assessment, "finding": finding, "evidence": evidence, "objection": objection, "item": item}


def outsider(name, team):
    """The user for a persona; the expired grant is made here since it belongs to that persona only."""
    if name == "anonymous":
        return None
    if name == "buyer_expired":
        grant = grant_access(team.factory, team.buyer_org, team.manager, expires_at=timezone.now() + timedelta(days=1))
        AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        return team.buyer
    return {
        "other_manager": team.other_manager,
        "buyer_never_granted": team.other_buyer,
        "buyer_revoked": team.buyer,
        "partner": team.partner,
    }[name]


def web_requests(world, team):
    ref = world["assessment"].ref
    finding, item, objection = world["finding"], world["item"], world["objection"]
    return [
        ("GET", "/en/assessments/", None),
        ("GET", "/en/assessments/plan/", None),
        ("POST", "/en/assessments/plan/", {"factory": team.factory.pk}),
        ("GET", f"/en/assessments/{ref}/", None),
        ("POST", f"/en/assessments/{ref}/details/", {"interviews_workers": 99, "row_version": 1}),
        ("POST", f"/en/assessments/{ref}/transition/", {"action": "reopen", "comment": "x"}),
        ("GET", f"/en/assessments/{ref}/capture/OS/", None),
        ("POST", f"/en/assessments/{ref}/findings/", {"question": "OS.8.7", "answer": "compliant"}),
        ("GET", f"/en/assessments/{ref}/evidence/{world['evidence'].pk}/", None),
        ("GET", f"/en/assessments/{ref}/review/", None),
        ("GET", "/en/reports/objections/", None),
        ("POST", "/en/reports/objections/", {"objection": objection.pk, "decision": "upheld", "ruling": "x"}),
        ("GET", f"/en/reports/{ref}/review/", None),
        ("POST", f"/en/reports/{ref}/review/", {"action": "reopen", "comment": "x"}),
        ("GET", f"/en/reports/{ref}/revisions/1/", None),
        ("GET", f"/en/responses/findings/{finding.pk}/objection/", None),
        ("POST", f"/en/responses/findings/{finding.pk}/objection/", {"text": "x", "language": "en"}),
        (
            "POST",
            f"/en/responses/findings/{finding.pk}/actions/",
            {"action": "x", "owner": "y", "due_date": "2027-01-01"},
        ),
        ("POST", f"/en/responses/actions/{item.pk}/", {"row_version": 1, "status": "done", "note": "x"}),
        ("POST", "/en/access/", {"factory": team.factory.ref, "buyer": team.buyer_org.pk}),
        ("POST", f"/en/access/{AccessGrant.objects.first().pk}/revoke/", {}),
        ("GET", "/en/notifications/paper/", None),
        ("GET", "/en/notifications/paper/print/", None),
        ("POST", "/en/notifications/paper/posted/", {"notifications": [1]}),
        ("GET", "/en/audit/", None),
    ]


def web_lists(world):
    """Pages an outsider may open, which must not show anything of the factory."""
    return ["/en/reports/", "/en/access/"]


def api_requests(world, team):
    ref = world["assessment"].ref
    finding, item, objection = world["finding"], world["item"], world["objection"]
    return [
        ("GET", f"/api/v1/assessments/{ref}/", None),
        (
            "POST",
            "/api/v1/assessments/",
            {
                "factory": team.factory.ref,
                "checklist_version": "2026.1",
                "visit_start": "2027-01-01",
                "visit_end": "2027-01-01",
                "monitors": [team.monitor.email],
            },
        ),
        ("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "reopen", "comment": "x"}),
        ("GET", f"/api/v1/assessments/{ref}/revisions/", None),
        ("GET", f"/api/v1/assessments/{ref}/revisions/1/", None),
        ("GET", f"/api/v1/assessments/{ref}/findings/", None),
        ("PUT", f"/api/v1/assessments/{ref}/findings/OS.8.7/", {"answer": "compliant", "row_version": 1}),
        ("POST", f"/api/v1/findings/{finding.pk}/objections/", {"text": "x", "language": "en"}),
        ("POST", f"/api/v1/findings/{finding.pk}/actions/", {"action": "x", "owner": "y", "due_date": "2027-01-01"}),
        ("GET", f"/api/v1/objections/{objection.pk}/", None),
        ("POST", f"/api/v1/objections/{objection.pk}/ruling/", {"decision": "upheld", "ruling": "x"}),
        ("GET", f"/api/v1/actions/{item.pk}/", None),
        ("PATCH", f"/api/v1/actions/{item.pk}/", {"row_version": 1, "status": "done"}),
        ("POST", "/api/v1/access-grants/", {"factory": team.factory.ref, "buyer": team.buyer_org.name}),
        ("GET", f"/api/v1/access-grants/{AccessGrant.objects.first().pk}/", None),
        ("POST", f"/api/v1/access-grants/{AccessGrant.objects.first().pk}/revoke/", {}),
    ]


def api_lists():
    return ["/api/v1/assessments/", "/api/v1/objections/", "/api/v1/actions/", "/api/v1/access-grants/"]


def state():
    """What an outsider's request could change."""
    return (
        list(Finding.objects.order_by("pk").values_list("answer", "note", "row_version")),
        list(Assessment.objects.order_by("pk").values_list("status", "interviews_workers")),
        list(Objection.objects.order_by("pk").values_list("status", "ruling")),
        list(ActionPlanItem.objects.order_by("pk").values_list("status", "row_version")),
        list(AccessGrant.objects.order_by("pk").values_list("revoked_at", "expires_at")),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_are_refused_everywhere_and_change_nothing(client, world, team, persona):
    user = outsider(persona, team)
    api = APIClient()
    if user is not None:
        client.force_login(user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.issue(user)[1]}")
    before = state()
    leaks = []
    refused_web = {302} if user is None else {403, 404}
    for method, url, data in web_requests(world, team):
        response = client.post(url, data) if method == "POST" else client.get(url)
        login_redirect = response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
        if response.status_code not in refused_web or (user is None and not login_redirect):
            leaks.append(f"{persona} {method} {url}: {response.status_code}")
    refused_api = {401} if user is None else {403, 404}
    for method, url, data in api_requests(world, team):
        response = getattr(api, method.lower())(url, data=json.dumps(data) if data else None,
                                                content_type="application/json")  # fmt: skip
        if response.status_code not in refused_api:
            leaks.append(f"{persona} {method} {url}: {response.status_code}")
    secrets = (world["assessment"].ref, team.factory.name_en, "We disagree", "Remove padlocks")
    for url in (*web_lists(world), *api_lists()):
        response = api.get(url) if url.startswith("/api/") else client.get(url)
        if response.status_code == 200 and any(secret in response.content.decode() for secret in secrets):
            leaks.append(f"{persona} GET {url}: shows the factory's data")
    assert leaks == []
    assert state() == before


@pytest.mark.django_db
def test_the_insiders_still_get_through(client, world, team):
    """The matrix above must not pass because everything is refused to everyone."""
    ref = world["assessment"].ref
    grant_access(team.factory, team.buyer_org, team.manager)
    for user, url in (
        (team.monitor, f"/en/assessments/{ref}/capture/OS/"),
        (team.head, f"/en/reports/{ref}/review/"),
        (team.head, "/en/audit/"),
        (team.manager, f"/en/reports/{ref}/revisions/1/"),
        (team.buyer, f"/en/reports/{ref}/revisions/1/"),
        (team.monitor, "/en/notifications/paper/"),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 200, (user, url)
