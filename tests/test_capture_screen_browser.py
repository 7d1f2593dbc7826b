"""The capture screen online, in a real browser: the one client the online pages and the offline app share.
Reached from the online capture page's address, in the page's language (the monitor's account reads Khmer), with
the last visit's answer and note, the non-compliant-if badge, a photo already on the server, next-unanswered and
only-unanswered navigation, and a whole applicability condition marked not met in one action."""

import io
from datetime import date

import pytest
from PIL import Image

from ims.assessments.evidence import attach_photo
from ims.assessments.models import Answer, Finding
from ims.assessments.workflow import plan_assessment, save_finding, transition
from ims.checklists.models import Question
from tests.factories import EXIT_NOTE, PASSWORD

pytestmark = pytest.mark.browser


def small_jpeg():
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture
def follow_up(team, content, published_report):
    """A later visit to the factory of the published report, started, one question answered with a photo."""
    visit = plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2027, 5, 3),
                            visit_end=date(2027, 5, 3), monitors=[team.monitor])  # fmt: skip
    transition(visit, "start", team.monitor)
    finding = save_finding(visit, question_code="OS.8.7", answer=Answer.COMPLIANT, actor=team.monitor)
    attach_photo(finding, small_jpeg(), team.monitor)
    return visit


def test_the_online_capture_page_is_the_capture_screen_with_history_badges_photos_and_navigation(
    live_server, transactional_db, team, published_report, follow_up, browser_context
):
    from playwright.sync_api import expect

    page = browser_context(viewport={"width": 1024, "height": 768}, has_touch=True).new_page()
    online = f"/en/assessments/{follow_up.ref}/capture/OS/"
    page.goto(f"{live_server.url}/en/accounts/login/?next={online}")
    page.fill("#id_username", team.monitor.email)  # an account in Khmer, on an English page
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**/capture/{follow_up.ref}/?cluster=OS")  # signing in, the site takes the account's language
    page.goto(f"{live_server.url}{online}")  # the English page, whatever the account reads
    page.wait_for_url(f"**/en/capture/{follow_up.ref}/?cluster=OS")
    root = page.locator("#offline-capture")
    expect(root).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page.locator('.cluster-tab[data-cluster="OS"]')).to_have_attribute("aria-pressed", "true")

    exits = Question.objects.get(code="OS.8.7")
    noncompliant_word = exits.noncompliant_answer.capitalize()
    card = page.locator('[id="q-OS.8.7"]')
    # The last visit's published answer and note, in the page's words.
    previous = published_report.findings.get(question__code="OS.8.7")
    assert previous.answer == Answer.NON_COMPLIANT and previous.note == EXIT_NOTE
    expect(card.locator(".previous")).to_have_text(
        f"Last visit ({published_report.ref}): {noncompliant_word} (non-compliant) · {EXIT_NOTE}"
    )
    expect(card.locator(".badge-noncompliant-if")).to_have_text(f"Non-compliant if: {noncompliant_word}")
    expect(card.locator('button[data-answer="non_compliant"]')).to_have_text(f"{noncompliant_word} non-compliant")
    # The photo already on the server, shown from the server.
    evidence = follow_up.findings.get(question__code="OS.8.7").evidence.get()
    photo = card.locator(".photo img")
    expect(photo).to_have_attribute("src", f"/en/assessments/{follow_up.ref}/evidence/{evidence.pk}/")
    photo.scroll_into_view_if_needed()  # loaded lazily, once on screen
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("image => image.naturalWidth") == 64

    # Next unanswered: the cluster's first question, then the one after the question just answered.
    os_codes = list(
        Question.objects.filter(version=follow_up.checklist_version, compliance_point__cluster__code="OS")
        .order_by("compliance_point__order", "order")
        .values_list("code", flat=True)
    )
    page.get_by_role("button", name="Next unanswered question").click()
    expect(root).to_have_attribute("data-current", os_codes[0])
    first = page.locator(f'[id="q-{os_codes[0]}"]')
    first.locator('button[data-answer="compliant"]').tap()
    page.get_by_role("button", name="Next unanswered question").click()
    expect(root).to_have_attribute("data-current", os_codes[1])

    # Only the unanswered questions, then every question again.
    page.get_by_role("button", name="Show only unanswered questions").click()
    expect(card).to_be_hidden()
    expect(first).to_be_hidden()
    second = page.locator(f'[id="q-{os_codes[1]}"]')
    expect(second).to_be_visible()
    second.locator('button[data-answer="not_assessed"]').tap()
    expect(second.locator('button[data-answer="not_assessed"]')).to_have_attribute("aria-pressed", "true")
    expect(second).to_be_visible()  # answered since the view was chosen: it stays until the view is chosen again
    page.get_by_role("button", name="Show every question").click()
    expect(card).to_be_visible()

    # A condition not met: every question it governs, in every cluster, not applicable at once.
    governed = Question.objects.filter(version=follow_up.checklist_version, applies_if__isnull=False)
    condition = governed.order_by("compliance_point__cluster__order", "compliance_point__order", "order").first()
    codes = set(governed.filter(applies_if=condition.applies_if).values_list("code", flat=True))
    assert len(codes) > 1
    page.locator(f'.cluster-tab[data-cluster="{condition.compliance_point.cluster.code}"]').click()
    target = page.locator(f'[id="q-{condition.code}"]')
    target.get_by_role("button", name=f"Condition not met: mark its {len(codes)} questions not applicable").click()
    expect(target.locator(".save-state")).to_contain_text("Not applicable: condition not met")
    expect(root).to_have_attribute("data-pending", "0", timeout=20_000)
    expect(root).to_have_attribute("data-sync", "done")
    stored = Finding.objects.filter(assessment=follow_up, question__code__in=codes)
    assert sorted(stored.values_list("question__code", "answer", "condition_not_met")) == sorted(
        (code, Answer.NOT_APPLICABLE.value, True) for code in codes
    )
    assert Finding.objects.get(assessment=follow_up, question__code=os_codes[0]).answer == Answer.COMPLIANT
