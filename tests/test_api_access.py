"""Who gets what from every private endpoint: 401 when anonymous, 404 when the object is not visible,
403 when it is visible but not the user's to change, and lists that leak nothing."""

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ims import policy
from ims.accounts.models import Organisation, Role
from ims.assessments.models import Assessment, Status
from ims.assessments.publishing import publish
from ims.assessments.workflow import save_finding, transition
from ims.grants.models import AccessGrant
from ims.responses.grants import grant_access, revoke_access
from ims.responses.services import add_action, object_to_finding
from tests.clients import API, signed_in
from tests.factories import png_bytes

PHOTO = object()  # marks the multipart upload among the JSON bodies


@pytest.fixture
def world(assessment, team, make_user, content):
    """A published report with an objection, a corrective action and a grant to Brand B, plus buyers
    whose grant was revoked or has expired."""
    transition(assessment, "start", team.monitor)
    for code in ("OS.8.7", "CO.1.1"):
        save_finding(assessment, question_code=code, answer="non_compliant", actor=team.monitor)
    # Access is about the published state, not how it was reached (the loop test walks the whole way).
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.APPROVED)
    assessment.refresh_from_db()
    publish(assessment, team.head)
    exits = assessment.findings.get(question__code="OS.8.7")
    wages = assessment.findings.get(question__code="CO.1.1")
    objection = object_to_finding(wages, team.manager, "Wages were paid", "en")
    item = add_action(exits, team.manager, "Remove padlocks", "Mr Dara", timezone.localdate() + timedelta(days=30))
    brand_b = Organisation.objects.get(name="Brand B")
    grant = grant_access(team.factory, brand_b, team.manager)

    def buyer_with_grant(name, end):
        organisation = Organisation.objects.create(name=name, kind=Organisation.Kind.BUYER)
        user = make_user(f"buyer@{name.lower().replace(' ', '-')}.example", Role.BUYER_VIEWER, organisation)
        own = grant_access(team.factory, organisation, team.manager, expires_at=timezone.now() + timedelta(days=1))
        end(own)
        return user

    revoked = buyer_with_grant("Brand R", lambda own: revoke_access(own, team.manager))
    expired = buyer_with_grant(
        "Brand E",
        lambda own: AccessGrant.objects.filter(pk=own.pk).update(expires_at=timezone.now() - timedelta(seconds=1)),
    )
    return SimpleNamespace(assessment=assessment, finding=exits, objection=objection, item=item, grant=grant,
                           revoked_buyer=revoked, expired_buyer=expired)  # fmt: skip


def object_endpoints(world):
    """Endpoints naming one object of the factory's report: (method, path, body)."""
    ref = world.assessment.ref
    return [
        ("get", f"/assessments/{ref}/", None),
        ("get", f"/assessments/{ref}/findings/", None),
        ("get", f"/assessments/{ref}/revisions/", None),
        ("get", f"/assessments/{ref}/revisions/1/", None),
        ("get", f"/objections/{world.objection.pk}/", None),
        ("get", f"/actions/{world.item.pk}/", None),
        ("get", f"/access-grants/{world.grant.pk}/", None),
        ("post", f"/assessments/{ref}/transitions/", {"action": "reopen", "comment": "Recheck"}),
        ("put", f"/assessments/{ref}/findings/OS.8.7/", {"answer": "compliant", "row_version": 1}),
        ("post", f"/assessments/{ref}/findings/OS.8.7/evidence/", PHOTO),
        ("post", f"/findings/{world.finding.pk}/objections/", {"text": "We disagree"}),
        ("post", f"/findings/{world.finding.pk}/actions/", {"action": "Fix", "owner": "HR", "due_date": "2027-01-01"}),
        ("post", f"/objections/{world.objection.pk}/ruling/", {"decision": "upheld", "ruling": "Stands"}),
        ("patch", f"/actions/{world.item.pk}/", {"row_version": 1, "status": "done"}),
        ("post", f"/access-grants/{world.grant.pk}/revoke/", None),
    ]


LIST_ENDPOINTS = ["/assessments/", "/objections/", "/actions/", "/access-grants/"]


def create_endpoints(content):
    return [
        ("post", "/assessments/", {"factory": "TEAM-1", "checklist_version": content.code, "visit_start": "2027-01-04",
                                   "visit_end": "2027-01-04", "monitors": ["monitor@team.example"]}),
        ("post", "/access-grants/", {"buyer": "Brand A", "factory": "TEAM-1"}),
    ]  # fmt: skip


def call(client, method, path, body):
    if body is PHOTO:
        return client.post(f"{API}{path}", {"photo": io.BytesIO(png_bytes())}, format="multipart")
    return getattr(client, method)(f"{API}{path}", body, format="json")


def outsiders(world, team):
    return {
        "anonymous": APIClient(),
        "other factory": signed_in(team.other_manager),
        "buyer without grant": signed_in(team.buyer),
        "buyer with revoked grant": signed_in(world.revoked_buyer),
        "buyer with expired grant": signed_in(world.expired_buyer),
    }


@pytest.mark.django_db
def test_outsiders_get_401_or_404_and_lists_leak_nothing(world, team, content):
    unexpected = []
    for who, client in outsiders(world, team).items():
        anonymous = who == "anonymous"
        for method, path, body in object_endpoints(world):
            answer = call(client, method, path, body)
            expected = 401 if anonymous else 404
            if answer.status_code != expected or answer.json()["error"] not in ("not_authenticated", "not_found"):
                unexpected.append((who, method, path, answer.status_code, answer.content[:200]))
        for method, path, body in create_endpoints(content):
            answer = call(client, method, path, body)
            if answer.status_code != (401 if anonymous else 403):
                unexpected.append((who, method, path, answer.status_code, answer.content[:200]))
        for path in LIST_ENDPOINTS:
            answer = client.get(f"{API}{path}")
            if anonymous:
                leaked = answer.status_code != 401
            else:
                results = answer.json()["results"]
                leaked = answer.status_code != 200 or any(
                    row.get("factory", {}).get("ref") == "TEAM-1" and path != "/access-grants/" for row in results
                ) or any(row.get("assessment") == world.assessment.ref for row in results) or any(
                    row["buyer"]["name"] == "Brand B" for row in results if path == "/access-grants/"
                )  # fmt: skip
            if leaked:
                unexpected.append((who, "get", path, answer.status_code, answer.content[:200]))
    assert unexpected == []

    # Nothing any outsider sent changed anything.
    world.item.refresh_from_db()
    world.objection.refresh_from_db()
    world.grant.refresh_from_db()
    assert (world.item.status, world.objection.status, world.grant.revoked_at) == ("planned", "open", None)
    assert Assessment.objects.get(pk=world.assessment.pk).status == Status.APPROVED
    assert Assessment.objects.count() == 1
    assert world.finding.evidence.count() == 0


@pytest.mark.django_db
def test_a_granted_buyer_reads_the_report_and_the_factorys_responses_but_changes_nothing(world, team):
    buyer = signed_in(team.other_buyer)  # Brand B holds the active grant
    # reads: assessment, findings, revisions, revision, objection, action, grant; then every write refused
    expected = [200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403]
    got = [call(buyer, method, path, body).status_code for method, path, body in object_endpoints(world)]
    assert got == expected
    assert [row["ref"] for row in buyer.get(f"{API}/assessments/").json()["results"]] == [world.assessment.ref]
    (objection,) = buyer.get(f"{API}/objections/").json()["results"]
    # The factory's objection, named as the factory's: not the manager who wrote it.
    assert objection["id"] == world.objection.pk and objection["factory"] == team.factory.display_name
    assert objection["author"] is None and team.manager.full_name not in str(objection)
    (action,) = buyer.get(f"{API}/actions/").json()["results"]
    assert action["created_by"] is None and team.manager.full_name not in str(action)
    world.grant.refresh_from_db()
    assert policy.grant_is_in_force(world.grant)


@pytest.mark.django_db
def test_the_factory_manager_acts_only_on_its_own_part(world, team):
    manager = signed_in(team.manager)
    # reads; reopen (head only); edit findings and add evidence (monitors only); objection; action;
    # ruling (head only); progress; revoke
    expected = [200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 201, 201, 403, 200, 200]
    got = [call(manager, method, path, body).status_code for method, path, body in object_endpoints(world)]
    assert got == expected
    world.grant.refresh_from_db()
    assert world.grant.revoked_at is not None
    assert signed_in(team.other_buyer).get(f"{API}/assessments/{world.assessment.ref}/").status_code == 404
