"""The checklist as a person sees it, in headless Chromium (Debian's package, never a downloaded one)."""

import re

import pytest
from playwright.sync_api import expect

from ims.checklists.models import Question
from tests.clients import rendering_fonts, wait_for_fonts
from tests.factories import ensure_content

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "css_family", "family"),
    [("km", "IMS Khmer", "Noto Sans Khmer"), ("zh-hans", "IMS Chinese", "Noto Sans SC")],
)
def test_checklist_page_shows_the_text_in_the_served_web_font(
    live_server, transactional_db, page, language, css_family, family
):
    ensure_content()
    question = Question.objects.get(version__code="2026.1", code="OS.8.2")
    expected = question.text_in("text", language)
    page.goto(f"{live_server.url}/{language}/checklists/{question.version.code}/")
    wait_for_fonts(page)

    selector = f'[id="{question.code}"] .question-text'
    # Compliance points are laid out (and their glyphs fetched) as they come into view (content-visibility).
    page.locator(selector).scroll_into_view_if_needed()
    expect(page.locator(selector)).not_to_have_text(re.compile(r"^\s*$"), use_inner_text=True)  # laid out
    wait_for_fonts(page)
    # The fonts arriving move the text above it: brought back into view, it is laid out again.
    page.locator(selector).scroll_into_view_if_needed()
    exactly = re.compile(rf"^\s*{re.escape(expected.strip())}\s*$")  # as inner_text().strip() == expected.strip()
    expect(page.locator(selector)).to_have_text(exactly, use_inner_text=True)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".question").count() == Question.objects.filter(version=question.version).count()

    fonts = rendering_fonts(page, selector)
    web_fonts = [font for font in fonts if font["isCustomFont"]]
    # a variable font reports its default instance, e.g. "Noto Sans SC Thin"
    assert any(font["familyName"].startswith(family) and font["glyphCount"] > 0 for font in web_fonts), fonts
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert css_family in [name.strip('"') for name in loaded]


@pytest.mark.parametrize(("language", "family"), [("km", "Noto Sans Khmer"), ("zh-hans", "Noto Sans SC")])
def test_bold_headings_and_buttons_are_drawn_in_the_web_font_not_as_empty_boxes(
    live_server, transactional_db, page, language, family
):
    # With a system font first in the stack, Chromium on a machine without Khmer or Chinese fonts drew bold text
    # of those scripts with the system font's bold: every character an empty box.
    page.goto(f"{live_server.url}/{language}/accounts/login/")
    wait_for_fonts(page)
    for selector in ("h1", "form button[type=submit]"):
        assert page.locator(selector).evaluate("node => Number(getComputedStyle(node).fontWeight)") >= 600
        fonts = rendering_fonts(page, selector)
        assert fonts and all(font["isCustomFont"] and font["familyName"].startswith(family) for font in fonts), (
            selector,
            fonts,
        )


def test_language_switcher_changes_the_page_language(live_server, transactional_db, page):
    ensure_content()
    page.goto(f"{live_server.url}/en/checklists/")
    # A visitor's switcher links to the same page in each language (a signed-in user's is a form).
    page.get_by_role("link", name="ខ្មែរ").click()
    page.wait_for_url(f"{live_server.url}/km/checklists/**")
    assert page.locator("html").get_attribute("lang") == "km"
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_url(f"{live_server.url}/zh-hans/checklists/**")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
