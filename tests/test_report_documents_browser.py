"""The web detailed report as a reader sees it in Khmer and Chinese, in headless Chromium."""

import pytest
from django.test import Client

from ims.checklists.models import Question
from tests.clients import rendering_fonts, wait_for_fonts
from tests.factories import NOTED_NONCOMPLIANCES

pytestmark = pytest.mark.browser


def signed_in_page(browser_context, live_server, user):
    """A browser page carrying the user's session, as if they had signed in."""
    client = Client()
    client.force_login(user)
    context = browser_context(viewport={"width": 768, "height": 1024})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


@pytest.mark.parametrize(
    ("language", "css_family", "family"),
    [("km", "IMS Khmer", "Noto Sans Khmer"), ("zh-hans", "IMS Chinese", "Noto Sans SC")],
)
def test_the_detailed_report_shows_the_questions_in_the_served_web_font(
    live_server, transactional_db, browser_context, team, published_report, language, css_family, family
):
    page = signed_in_page(browser_context, live_server, team.manager)
    page.goto(f"{live_server.url}/{language}/reports/{published_report.ref}/revisions/1/")
    wait_for_fonts(page)
    assert page.locator("html").get_attribute("lang") == language
    for code in NOTED_NONCOMPLIANCES:
        expected = Question.objects.get(code=code).text_in("text", language)
        assert page.locator(f'[id="finding-{code}"] .question-text').inner_text().strip() == expected.strip()

    fonts = rendering_fonts(page, '[id="finding-OS.8.7"] .question-text')
    assert any(font["isCustomFont"] and font["familyName"].startswith(family) and font["glyphCount"] > 0
               for font in fonts), fonts  # fmt: skip
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert css_family in [name.strip('"') for name in loaded]
    # The cluster chart: a table with each cluster's bars under its name
    assert page.locator("table.positions svg.bars").count() == 8
