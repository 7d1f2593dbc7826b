"""People running their own accounts, in headless Chromium against the running app with a real SMTP server
(issue 16): a new factory manager from the invitation email to a first sign-in, a buyer's access request to
a grant, the head through two-factor enrolment and a sign-in with a code."""

import re
import time

import pytest

from ims import policy
from ims.accounts.models import User
from tests.factories import PASSWORD
from tests.test_two_factor import STEP, totp

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("tasks_run_immediately")]
NEW_PASSWORD = "a long passphrase for Dara 2026"


@pytest.fixture
def site(live_server, settings):
    settings.IMS_SITE_URL = live_server.url  # emails link to the running app
    return live_server.url


def sign_in(page, site, email, password=PASSWORD, language="en"):
    page.goto(f"{site}/{language}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name={"en": "Sign in", "km": "ចូលគណនី"}[language], exact=True).click()


def sign_out(page):
    page.locator(".account").get_by_role("button").click()
    page.wait_for_url("**/en/")


def email_link(smtp_server, address, site):
    [email] = smtp_server.to(address)
    return re.search(rf"{re.escape(site)}/\S+", email.body).group(0), email


def test_a_new_factory_manager_goes_from_the_invitation_email_to_a_first_sign_in(
    transactional_db, site, team, smtp_server, browser_context
):
    from playwright.sync_api import expect

    inviter = browser_context().new_page()
    sign_in(inviter, site, team.manager.email)
    inviter.wait_for_url("**/accounts/start/")
    inviter.goto(f"{site}/en/accounts/invitations/")
    invitation = inviter.locator("form[method=post]", has_text="Send the invitation")  # not the list's search
    invitation.get_by_label("Full name").fill("Sok Dara")
    invitation.get_by_label("Email address").fill("dara@team-factory.example")
    invitation.get_by_label("Organisation").select_option(label="Team Factory")
    invitation.get_by_label("Role").select_option("factory_manager")
    invitation.get_by_label("Language of the email").select_option("km")
    invitation.get_by_role("button", name="Send the invitation").click()
    expect(inviter.locator("table.data")).to_contain_text("dara@team-factory.example")

    link, email = email_link(smtp_server, "dara@team-factory.example", site)
    assert email.message["Content-Language"] == "km" and "/km/accounts/invitation/" in link
    invitee = browser_context().new_page()
    invitee.goto(link)
    expect(invitee.locator("html")).to_have_attribute("lang", "km")
    invitee.fill("#id_new_password1", NEW_PASSWORD)
    invitee.fill("#id_new_password2", NEW_PASSWORD)
    invitee.locator("form button[type=submit]").click()
    invitee.locator("a.button").click()  # on to sign in
    invitee.fill("#id_username", "dara@team-factory.example")
    invitee.fill("#id_password", NEW_PASSWORD)
    invitee.locator("main form button[type=submit]").click()
    invitee.wait_for_url(f"{site}/km/accounts/start/")
    dara = User.objects.get(email="dara@team-factory.example")
    assert policy.allows(dara, "factory.act_for", team.factory)
    # the link is spent
    invitee.goto(link)
    expect(invitee.locator("#id_new_password1")).to_have_count(0)


def test_a_buyers_access_request_becomes_a_grant(transactional_db, site, team, smtp_server, browser_context):
    from playwright.sync_api import expect

    buyer = browser_context().new_page()
    sign_in(buyer, site, team.buyer.email)
    buyer.wait_for_url("**/accounts/start/")
    buyer.goto(f"{site}/en/accounts/access-requests/")
    request = buyer.locator("form[method=post]", has_text="Send the request")  # not the list's search
    request.get_by_label("Factory", exact=True).select_option(team.factory.ref)
    request.get_by_label("Message to the factory (optional)").fill("For our supplier audit")
    request.get_by_role("button", name="Send the request").click()
    expect(buyer.locator("table.data")).to_contain_text("Waiting for the factory")

    link, _email = email_link(smtp_server, team.manager.email, site)
    manager = browser_context().new_page()
    sign_in(manager, site, team.manager.email, language="en")
    manager.wait_for_url("**/accounts/start/")
    expect(manager.locator("[data-waiting]")).to_have_text("1")
    manager.goto(link)  # the email's deep link, in the manager's language (Chinese)
    expect(manager.locator(".access-request")).to_contain_text("For our supplier audit")
    manager.get_by_role("button", name=re.compile("Brand A")).click()
    expect(manager.locator(".access-request")).to_have_count(0)

    assert policy.grants_in_force().filter(factory=team.factory, buyer=team.buyer_org).exists()
    assert len(smtp_server.to(team.buyer.email)) == 1  # told of the grant
    buyer.goto(f"{site}/en/notifications/")
    expect(buyer.locator(".notices")).to_contain_text("gives your organisation access to its reports")


def test_the_head_enrols_an_authenticator_app_then_signs_in_with_a_code(transactional_db, site, team, browser_context):
    from playwright.sync_api import expect

    page = browser_context().new_page()
    sign_in(page, site, team.head.email)
    page.wait_for_url("**/accounts/second-factor/setup/")
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator("code.totp-secret").inner_text()
    page.fill("#id_code", totp(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{site}/en/accounts/start/")
    expect(page.locator("h1")).to_have_text("What needs you now")
    sign_out(page)

    sign_in(page, site, team.head.email)
    page.wait_for_url("**/accounts/second-factor/")
    page.fill("#id_code", totp(secret, time.time() + STEP))  # the enrolment spent this step's code
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/en/accounts/start/")
    expect(page.locator(".account")).to_contain_text(team.head.get_short_name())
