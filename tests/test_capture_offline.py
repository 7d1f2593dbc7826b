"""Offline capture in a real browser: the whole checklist answered with the network off, kept across a reload,
synced exactly once, and a conflicting edit reported rather than lost. Also the capture pages themselves."""

import io

import pytest
from django.core.signals import request_started
from PIL import Image

from ims.accounts.models import Role
from ims.assessments.models import Answer, Evidence, Finding
from ims.assessments.workflow import save_finding
from ims.capture.models import SubmissionReceipt, SyncConflict, UploadSession
from ims.checklists.models import Question
from tests.factories import PASSWORD

LANGUAGES = ("en", "km", "zh-hans")
NOTES = {"CL.1.1": "A boy of 14 in the packing section", "OS.1.1": "No fire drill since March",
         "WT.1.1": "ការងារបន្ថែមម៉ោង"}  # fmt: skip
PHOTO_QUESTION = "CL.1.1"


# --- pages --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_capture_pages_render_in_each_language(client, started, team, language):
    client.force_login(team.monitor)
    index = client.get(f"/{language}/capture/")
    assert index.status_code == 200 and f'<html lang="{language}">' in index.text
    assert f"/{language}/capture/{started.ref}/" in index.text
    assert "/api/v1/capture/checklists/2026.1/xlsform/" in index.text
    detail = client.get(f"/{language}/assessments/{started.ref}/")
    assert f'href="/{language}/capture/{started.ref}/"' in detail.text
    app = client.get(f"/{language}/capture/{started.ref}/")
    assert app.status_code == 200 and 'id="capture-config"' in app.text
    manifest = client.get(f"/{language}/capture/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == f"/{language}/capture/"


@pytest.mark.django_db
def test_capture_pages_are_for_the_team_only(client, started, team, make_user, programme):
    outsider = make_user("outsider@team.example", Role.MONITOR, programme)
    # A monitor off the team does not even learn that the draft exists, nor does a factory or buyer.
    expected = {team.monitor: 200, team.head: 200, outsider: 404, team.manager: 404, team.buyer: 404}
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(f"/en/capture/{started.ref}/").status_code == status, user
    client.logout()
    assert client.get(f"/en/capture/{started.ref}/").status_code == 302


def test_the_service_worker_may_control_every_language_prefix(client):
    response = client.get("/api/v1/capture/service-worker.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert 'const STATIC_URL = "/static/";' in response.text


# --- in a browser, offline ----------------------------------------------------------------------------------


def noisy_photo():
    """A large photo the tablet must shrink before keeping it (noise, so it does not compress to nothing)."""
    image = Image.effect_noise((3200, 2400), 60).convert("RGB")
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=92)
    return output.getvalue()


@pytest.fixture
def tablet(browser_context):
    """A tablet's window: touch, portrait."""
    return browser_context(viewport={"width": 1024, "height": 1366}, has_touch=True)


def answer_for(index):
    return (Answer.COMPLIANT, Answer.NON_COMPLIANT, Answer.NOT_APPLICABLE, Answer.NOT_ASSESSED)[index % 4]


@pytest.mark.browser
def test_a_monitor_captures_the_whole_checklist_offline_and_it_reaches_the_server_exactly_once(
    live_server, transactional_db, started, team, tablet
):
    from playwright.sync_api import expect

    assert live_server.url.startswith("http://localhost:"), "service workers need a secure context"
    page = tablet.new_page()
    app_url = f"/en/capture/{started.ref}/"
    page.goto(f"{live_server.url}/en/accounts/login/?next={app_url}")
    page.fill("#id_username", team.monitor2.email)  # monitor2 reads English; monitor's account is in Khmer
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**{app_url}")
    root = page.locator("#offline-capture")
    # Online once: the package is downloaded, the page cached and the service worker in control.
    expect(root).to_have_attribute("data-offline-ready", "true", timeout=20_000)
    expect(root).to_have_attribute("data-service-worker", "ready")
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    # The answers are worded as each question asks, the non-compliant one marked.
    for noncompliant_word, compliant_word in (("yes", "No"), ("no", "Yes")):
        code = Question.objects.filter(noncompliant_answer=noncompliant_word).order_by("code").first().code
        card = page.locator(f'[id="q-{code}"]')
        assert card.locator('button[data-answer="compliant"]').text_content().strip() == compliant_word
        marked = card.locator('button[data-answer="non_compliant"]').text_content().split()
        assert marked == [noncompliant_word.capitalize(), "non-compliant"]

    reached_server = []

    def record_request(sender, environ, **kwargs):
        reached_server.append(environ["PATH_INFO"])

    request_started.connect(record_request)
    tablet.set_offline(True)
    expect(root).to_have_attribute("data-network", "offline")
    codes = []  # how long this takes is measured by benchmarks/offline_capture.py
    for tab in page.locator(".cluster-tab").all():
        tab.click()
        cards = page.locator(f'.capture-cluster[data-cluster="{tab.get_attribute("data-cluster")}"] .capture-card')
        # The first card by a real tap, the rest by clicks dispatched in the page: one round trip per cluster.
        first = cards.first
        first.locator(f'button[data-answer="{answer_for(len(codes))}"]').tap()
        codes.append(first.get_attribute("data-question"))
        codes += cards.evaluate_all(
            """(cards, [answers, offset]) => cards.slice(1).map((card, index) => {
                card.querySelector(`button[data-answer="${answers[(offset + index) % 4]}"]`).click();
                return card.dataset.question;
            })""",
            [[answer_for(index).value for index in range(4)], len(codes)],
        )
    for code, note in NOTES.items():
        page.locator(f'.cluster-tab[data-cluster="{code.split(".")[0]}"]').click()
        note_field = page.locator(f'[id="q-{code}"]').get_by_label("Note", exact=True)
        note_field.fill(note)
        note_field.blur()
    page.locator(f'.cluster-tab[data-cluster="{PHOTO_QUESTION.split(".")[0]}"]').click()
    photo_card = page.locator(f'[id="q-{PHOTO_QUESTION}"]')
    photo_card.locator('input[type="file"]').set_input_files(
        {"name": "evidence.jpg", "mimeType": "image/jpeg", "buffer": noisy_photo()}
    )
    expect(photo_card.locator(".photo img")).to_have_count(1)
    assert len(codes) == 274
    expect(root).to_have_attribute("data-pending", str(274 + 1))
    expect(page.locator('[data-progress="all"]')).to_have_attribute("data-answered", "274")
    assert Finding.objects.filter(assessment=started).count() == 0, "nothing may reach the server while offline"

    # Reload with the network still off: the service worker serves the page, IndexedDB the work.
    page.reload()
    expect(root).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(root).to_have_attribute("data-pending", str(274 + 1))
    expect(page.locator('[data-progress="all"]')).to_have_attribute("data-answered", "274")
    for code, note in NOTES.items():
        page.locator(f'.cluster-tab[data-cluster="{code.split(".")[0]}"]').click()
        card = page.locator(f'[id="q-{code}"]')
        expect(card.get_by_label("Note", exact=True)).to_have_value(note)
        expect(card.locator(f'button[data-answer="{answer_for(codes.index(code))}"]')).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.locator(f'[id="q-{PHOTO_QUESTION}"] .photo img')).to_have_count(1)
    expect(page.locator('[data-sync="network"]')).to_contain_text("Offline")
    request_started.disconnect(record_request)
    assert reached_server == [], "offline, not a single request may reach the server"

    # Back online: the tablet syncs by itself, and says so.
    tablet.set_offline(False)
    expect(root).to_have_attribute("data-pending", "0", timeout=30_000)
    expect(root).to_have_attribute("data-sync", "done")
    expect(page.locator('[data-sync="last"]')).not_to_contain_text("never")
    stored = dict(Finding.objects.filter(assessment=started).values_list("question__code", "answer"))
    assert stored == {code: answer_for(index).value for index, code in enumerate(codes)}
    notes = dict(Finding.objects.filter(assessment=started).exclude(note="").values_list("question__code", "note"))
    assert notes == NOTES
    evidence = Evidence.objects.get()
    assert evidence.finding.question.code == PHOTO_QUESTION
    assert max(Image.open(evidence.file).size) <= 1600, "the photo is resized on the tablet"
    assert UploadSession.objects.get().completed_at is not None
    counts = (Finding.objects.count(), SubmissionReceipt.objects.count(), Evidence.objects.count())
    assert counts == (274, 274, 1)

    # Syncing again creates nothing.
    page.get_by_role("button", name="Sync now").click()
    expect(root).to_have_attribute("data-sync", "done", timeout=20_000)
    page.reload()
    expect(root).to_have_attribute("data-state", "ready", timeout=20_000)
    page.get_by_role("button", name="Sync now").click()
    expect(root).to_have_attribute("data-sync", "done", timeout=20_000)
    assert (Finding.objects.count(), SubmissionReceipt.objects.count(), Evidence.objects.count()) == counts

    # A colleague changes an answer online while the tablet, offline again, edits the same one.
    tablet.set_offline(True)
    first = Finding.objects.get(assessment=started, question__code="CL.1.2")
    save_finding(started, question_code="CL.1.2", answer=Answer.NOT_ASSESSED, note="Records missing",
                 actor=team.monitor, expected_version=first.row_version)  # fmt: skip
    page.locator('.cluster-tab[data-cluster="CL"]').click()
    card = page.locator('[id="q-CL.1.2"]')
    mine = Answer.COMPLIANT if first.answer != Answer.COMPLIANT else Answer.NON_COMPLIANT
    card.locator(f'button[data-answer="{mine}"]').click()
    expect(root).to_have_attribute("data-pending", "1")
    # Removing the assessment from the tablet now would lose that edit: the tablet asks, and declining keeps it.
    with page.expect_event("dialog") as asked:
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name="Remove from this tablet").click()
    assert "1 changes on this tablet are not on the server yet and would be lost" in asked.value.message
    expect(root).to_have_attribute("data-state", "ready")
    expect(root).to_have_attribute("data-pending", "1")
    tablet.set_offline(False)
    expect(card.locator(".save-state")).to_have_attribute("data-state", "conflict", timeout=20_000)
    expect(card.locator(".conflict")).to_contain_text("Not assessed")
    expect(card.locator(".conflict")).to_contain_text("Records missing")
    expect(page.locator('[data-sync="conflicts"]')).to_contain_text("1")
    conflict = SyncConflict.objects.get()
    assert conflict.client_payload["answer"] == mine and conflict.reported_by == team.monitor2
    assert "was changed by monitor since you opened it" in conflict.message  # a stale edit, not a reused identifier
    assert Finding.objects.get(pk=first.pk).answer == Answer.NOT_ASSESSED

    # Signing out with an undecided conflict asks first; declining keeps the monitor on the page.
    with page.expect_event("dialog") as asked:
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name="Sign out").click()
    assert "not on the server yet" in asked.value.message
    expect(root).to_have_attribute("data-state", "ready")
    assert page.url.endswith(app_url)

    # The monitor keeps their answer: it is sent again from the stored version and the conflict is settled.
    card.get_by_role("button", name="Send mine again").click()
    expect(card.locator(".save-state")).to_have_attribute("data-state", "synced", timeout=20_000)
    assert Finding.objects.get(pk=first.pk).answer == mine
    conflict.refresh_from_db()
    assert conflict.resolution == SyncConflict.Resolution.KEPT_MINE
    assert Finding.objects.count() == 274
