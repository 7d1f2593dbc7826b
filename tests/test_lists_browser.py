"""A list searched and paged as people do it, in headless Chromium on a phone: the filter survives the page links."""

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from ims.audit.models import AuditEvent

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGE = 3


def test_the_head_searches_the_audit_log_by_factory_and_pages_through_what_it_finds(
    live_server, transactional_db, browser_context, team, make_factory, monkeypatch
):
    monkeypatch.setattr("ims.audit.views.AUDIT_PAGE_SIZE", PAGE)
    lotus = make_factory("LOTUS-1", name_en="Lotus Knitwear", name_km="ឡូតុសនីត")
    start = timezone.make_aware(datetime(2026, 3, 1, 9))
    for number in range(9):
        event = AuditEvent.objects.create(action="test.event", actor=team.head, factory=lotus if number % 2 else
                                          team.factory, object_type="test", object_id=f"row-{number}")  # fmt: skip
        AuditEvent.objects.filter(pk=event.pk).update(at=start + timedelta(days=number))
    at_lotus = {f"row-{number}" for number in range(9) if number % 2}  # newest first: 7, 5, 3, then 1

    client = Client()
    client.force_login(team.head)
    context = browser_context(viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/en/audit/")
    page.get_by_label("Factory").fill("ឡូតុស")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    first = set(page.locator("table.data td").filter(has_text=re.compile(r"^test row-\d$")).all_inner_texts())
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert page.get_by_label("Factory").input_value() == "ឡូតុស"
    second = set(page.locator("table.data td").filter(has_text=re.compile(r"^test row-\d$")).all_inner_texts())
    assert len(first) == PAGE
    assert {text.removeprefix("test ") for text in first | second} == at_lotus
