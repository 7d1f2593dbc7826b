"""The three leaks found on 2026-12-07, each closed: a factory and its buyers read only the published
revision while it is corrected; buyers read the factory's objections without the people's names, alike
in the page, the PDF and the API; programme staff off the team read no draft.

These tests need nothing of ims.policy, so they also run against the code before it (where they fail).
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from ims.assessments.models import Assessment, Status
from tests.policy_world import (
    DRAFT_NOTE,
    OBJECTION_TEXT,
    PERSONAS,
    PUBLISHED_NOTE,
    REOPEN_COMMENT,
    RETURN_COMMENT,
    world_in_a_transaction,
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), world_in_a_transaction(media) as built:
        built.media = media
        yield built


@pytest.fixture
def clients(world, db, settings):
    settings.MEDIA_ROOT = world.media
    clients = {}
    for name in PERSONAS:
        clients[name] = Client()
        if world.users[name] is not None:
            clients[name].force_login(world.users[name])
    return clients


def test_leak_1_while_a_report_is_corrected_the_factory_and_its_buyers_see_only_the_published_revision(world, clients):
    assessment = world.assessments["correcting"]
    finding = world.findings["correcting"]
    published_photo = world.evidence[("correcting", "in a published revision")]
    correction_photo = world.evidence[("correcting", "in the working copy only")]
    for persona in ("manager", "buyer_granted"):
        client = clients[persona]
        photo_url = f"/en/assessments/{assessment.ref}/evidence/{{pk}}/"
        assert client.get(photo_url.format(pk=published_photo.pk)).status_code == 200, persona
        assert client.get(photo_url.format(pk=correction_photo.pk)).status_code == 404, persona
        report = client.get(f"/en/reports/{assessment.ref}/revisions/1/").text
        assert PUBLISHED_NOTE in report and DRAFT_NOTE not in report, persona
    manager = clients["manager"]
    for page in ("objection", "actions"):
        response = manager.get(f"/en/responses/findings/{finding.pk}/{page}/")
        # The finding as published, no form: the factory answers once the corrected revision is out.
        assert response.status_code == 409, page
        assert PUBLISHED_NOTE in response.text and DRAFT_NOTE not in response.text, page
        assert '<form method="post">' not in response.text.split("</header>", 1)[1], page
    before = finding.objections.count(), finding.action_items.count()
    refused = manager.post(f"/en/responses/findings/{finding.pk}/objection/", {"text": "No", "language": "en"})
    assert refused.status_code == 409
    assert (finding.objections.count(), finding.action_items.count()) == before


def test_leak_2_buyers_read_the_factorys_objections_without_the_peoples_names_in_the_page_the_pdf_and_the_api(
    world, clients, settings
):
    assessment = world.assessments["approved"]
    manager_name = world.users["manager"].full_name
    buyer = clients["buyer_granted"]
    page = buyer.get(f"/en/reports/{assessment.ref}/revisions/1/").text
    assert OBJECTION_TEXT in page and manager_name not in page
    api = buyer.get("/api/v1/objections/", HTTP_ACCEPT="application/json").json()["results"]
    assert {row["text"] for row in api} == {OBJECTION_TEXT}
    assert all(row["author"] is None and row["factory"] == world.factory.display_name for row in api)
    pdf = b"".join(buyer.get(f"/en/reports/{assessment.ref}/revisions/1/pdf/detailed/en/").streaming_content)
    path = Path(settings.MEDIA_ROOT) / "leak-2.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", OBJECTION_TEXT) in squeezed and re.sub(r"\s+", "", manager_name) not in squeezed
    # The factory and the programme still see who objected.
    assert manager_name in clients["manager"].get(f"/en/reports/{assessment.ref}/revisions/1/").text
    assert manager_name in clients["head"].get(f"/en/reports/{assessment.ref}/revisions/1/").text


@pytest.mark.parametrize("persona", ["translator", "trainer", "advisor", "monitor_off_team"])
def test_leak_3_programme_staff_off_the_team_read_no_draft_nor_the_heads_comments(world, clients, persona):
    client = clients[persona]
    for state in ("in_progress", "returned", "correcting"):
        assessment = world.assessments[state]
        photo = world.evidence[(state, "in the working copy only")]
        for address in (
            f"/en/assessments/{assessment.ref}/",
            f"/en/assessments/{assessment.ref}/review/",
            f"/en/assessments/{assessment.ref}/capture/OS/",
            f"/en/assessments/{assessment.ref}/evidence/{photo.pk}/",
            f"/en/reports/{assessment.ref}/review/",
            f"/api/v1/assessments/{assessment.ref}/findings/",
            f"/api/v1/capture/assessments/{assessment.ref}/package/",
        ):
            response = client.get(address, HTTP_ACCEPT="application/json" if "/api/" in address else "text/html")
            assert response.status_code in (403, 404), (state, address, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert RETURN_COMMENT.encode() not in body and REOPEN_COMMENT.encode() not in body
            assert DRAFT_NOTE.encode() not in body
    # They still read the published revision, as the table says.
    published = world.assessments["approved"]
    assert client.get(f"/en/reports/{published.ref}/revisions/1/").status_code == 200
    detail = client.get(f"/api/v1/assessments/{published.ref}/", HTTP_ACCEPT="application/json").json()
    assert "transitions" not in detail  # the review history is the workspace's
    assert Assessment.objects.filter(status=Status.CORRECTING).count() == 1
