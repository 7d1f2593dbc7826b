"""A worker answers the survey on a phone, in headless Chromium: Khmer first, one answer set per card."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ims.voice import services
from ims.voice.models import Answer, Response
from tests.factories import ensure_content

pytestmark = pytest.mark.browser


@pytest.fixture
def card(transactional_db, make_factory, make_user, programme):
    ensure_content()
    head = make_user("head@voice.example", "head", programme)
    today = timezone.localdate()
    campaign, _secret = services.create_campaign(head, factory=make_factory("VOICE-1"), starts_on=today,
                                                 ends_on=today + timedelta(days=14))  # fmt: skip
    (token,) = services.issue_cards(head, campaign, 1)
    return campaign, token


def test_a_worker_answers_on_a_phone_in_khmer_and_the_card_is_spent(live_server, card, browser_context):
    campaign, token = card
    phone = browser_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    link = f"{live_server.url}/v/{campaign.code}/{token}/"
    phone.goto(link)
    assert phone.locator("html").get_attribute("lang") == "km"
    overtime = phone.locator("fieldset", has_text="តើអ្នកបានទទួលប្រាក់សម្រាប់ម៉ោងបន្ថែម")
    overtime.get_by_label("ទេ").check()
    phone.locator("fieldset", has_text="ច្រកចេញសង្គ្រោះបន្ទាន់").get_by_label("បាទ/ចាស").check()
    # The form fits the phone's width: nothing to scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("button", name="ផ្ញើចម្លើយរបស់ខ្ញុំ").click()
    phone.get_by_role("heading", name="សូមអរគុណ!").wait_for()
    (response,) = Response.objects.filter(campaign=campaign)
    assert dict(Answer.objects.filter(response=response).values_list("question", "value")) == {
        "overtime_paid": "no", "exits_open": "yes",
    }  # fmt: skip

    phone.goto(link)  # the same card again
    assert "កាតឆ្លើយនេះត្រូវបានប្រើរួចហើយ" in phone.locator("main").inner_text()
    assert Response.objects.filter(campaign=campaign).count() == 1
