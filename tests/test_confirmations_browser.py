"""Irreversible actions ask first, and long lists can be searched, in headless Chromium on a phone."""

from datetime import date

import pytest
from django.test import Client

from ims.accounts.models import Organisation, Role
from ims.assessments.models import Assessment, Status
from ims.assessments.workflow import transition
from ims.factories.models import Factory
from ims.grants.models import AccessGrant
from ims.responses.grants import grant_access
from ims.training import services as training
from ims.training.catalogue import load_catalogue
from ims.training.models import TrainingModule
from tests.factories import fill_findings

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def signed_in_page(browser_context, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser_context(viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_approve_and_publish_asks_first_and_says_who_will_read_it(
    live_server, transactional_db, browser_context, assessment, team, pdfs_not_typeset
):
    grant_access(team.factory, team.buyer_org, team.manager)
    transition(assessment, "start", team.monitor)
    fill_findings(assessment, team.monitor, {"OS.8.7": ("Exit padlocked", "en")})
    transition(assessment, "submit", team.monitor)
    page = signed_in_page(browser_context, live_server, team.head)
    page.goto(f"{live_server.url}/en/reports/{assessment.ref}/review/")

    findings = page.get_by_role("heading", name="Findings")
    decision = page.get_by_role("heading", name="Decision")
    assert findings.bounding_box()["y"] < decision.bounding_box()["y"]  # evidence first, then the decision

    approve = page.get_by_role("button", name="Approve and publish")
    approve.click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "Team Factory" in dialog.inner_text() and "1 buyer" not in dialog.inner_text()
    assert "the buyer it has granted access" in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SUBMITTED

    approve.click()
    dialog.get_by_role("button", name="Approve and publish").click()
    page.get_by_text("revision 1 of the report is published").wait_for()
    assert Assessment.objects.get(pk=assessment.pk).status == Status.APPROVED


def test_revoking_a_buyers_access_asks_first(live_server, transactional_db, browser_context, team):
    grant = grant_access(team.factory, team.buyer_org, team.manager)
    page = signed_in_page(browser_context, live_server, team.manager)
    page.goto(f"{live_server.url}/en/access/")
    revoke = page.get_by_role("button", name="Revoke access of Brand A")
    revoke.click()
    dialog = page.locator("#confirm-dialog")
    assert "They stop reading your reports at once" in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert AccessGrant.objects.get(pk=grant.pk).revoked_at is None

    revoke.click()
    with page.expect_navigation():  # the revocation is posted and answered before the page is read
        dialog.get_by_role("button", name="Revoke access of Brand A").click()
    page.locator("table.data").get_by_text("Revoked").first.wait_for()
    assert AccessGrant.objects.get(pk=grant.pk).revoked_at is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_long_list_of_factories_narrows_as_one_types(
    live_server, transactional_db, browser_context, make_factory, make_user, programme, programme_admin
):
    for number in range(30):
        make_factory(f"LIST-{number:02d}", name_en=f"Listed Garments {number:02d}")
    make_factory("WANTED-1", name_en="Golden Needle Apparel")
    load_catalogue()
    module = TrainingModule.objects.order_by("pk").first()
    session = training.plan_session(programme_admin, module=module, start_date=date(2027, 3, 1),
                                    end_date=date(2027, 3, 2), venue="VBNK Centre", languages=["en"],
                                    trainer=make_user("trainer@test.example", Role.TRAINER, programme),
                                    capacity=40)  # fmt: skip
    page = signed_in_page(browser_context, live_server, programme_admin)
    page.goto(f"{live_server.url}/en/training/sessions/{session.pk}/")
    search = page.get_by_role("searchbox", name="Search: Factory")
    search.fill("golden")
    select = page.locator("select[name=factory]")
    shown = select.evaluate("s => [...s.options].filter(o => !o.hidden && o.value).map(o => o.textContent.trim())")
    assert shown == ["Golden Needle Apparel"]
    assert select.input_value() == Factory.objects.get(ref="WANTED-1").ref


def test_the_grant_picker_offers_only_buyers_without_access(client, team):
    grant_access(team.factory, team.buyer_org, team.manager)
    client.force_login(team.manager)
    page = client.get("/en/access/").text
    picker = page[page.index('name="buyer"') :]
    picker = picker[: picker.index("</select>")]
    other_buyers = Organisation.objects.filter(kind=Organisation.Kind.BUYER).exclude(pk=team.buyer_org.pk)
    assert ">Brand A<" not in picker
    assert all(f">{buyer.name}<" in picker for buyer in other_buyers)
