"""The web detailed report as a reader sees it in Khmer and Chinese, in headless Chromium."""

import pytest
from django.test import Client
from playwright.sync_api import sync_playwright

from ims.checklists.models import Question
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, rendering_fonts
from tests.test_report_documents import NONCOMPLIANT, media, published  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    # As in test_browser: the ORM runs beside Playwright's event loop in the test thread.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in_page(browser, live_server, user):
    """A browser page carrying the user's session, as if they had signed in."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


@pytest.mark.parametrize(
    ("language", "css_family", "family"),
    [("km", "IMS Khmer", "Noto Sans Khmer"), ("zh-hans", "IMS Chinese", "Noto Sans SC")],
)
def test_the_detailed_report_shows_the_questions_in_the_served_web_font(
    live_server,
    transactional_db,
    browser,
    team,
    published,  # noqa: F811  (the imported fixture)
    language,
    css_family,
    family,
):
    page = signed_in_page(browser, live_server, team.manager)
    page.goto(f"{live_server.url}/{language}/reports/{published.ref}/revisions/1/")
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.locator("html").get_attribute("lang") == language
    for code in NONCOMPLIANT:
        expected = Question.objects.get(code=code).text_in("text", language)
        assert page.locator(f'[id="finding-{code}"] .question-text').inner_text().strip() == expected.strip()

    fonts = rendering_fonts(page, '[id="finding-OS.8.7"] .question-text')
    assert any(font["isCustomFont"] and font["familyName"].startswith(family) and font["glyphCount"] > 0
               for font in fonts), fonts  # fmt: skip
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert css_family in [name.strip('"') for name in loaded]
    assert page.locator("figure.chart svg").count() == 1  # the cluster chart, drawn by the browser
    page.context.close()
