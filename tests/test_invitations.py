"""Invitations (issue 16): who may invite whom, the email in the invitee's language with a signed, single-use,
expiring link, and the account it opens."""

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from ims.accounts.models import Organisation, Role, User
from ims.people.models import Invitation
from ims.people.tasks import retry_invitations
from ims.policy import roles_of

pytestmark = pytest.mark.usefixtures("tasks_run_immediately")
NEW_PASSWORD = "a fresh long passphrase 31"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def invite(client, organisation, role, email="new@example.org", language="km"):
    return client.post("/en/accounts/invitations/", {"full_name": "Sok Kanha", "email": email, "language": language,
                                                    "organisation": organisation.pk, "role": role})  # fmt: skip


def link_in(email, site_url):
    return re.search(rf"{re.escape(site_url)}(/\S+/accounts/invitation/\S+/)", email.body).group(1)


def accept(link, password=NEW_PASSWORD):
    return Client().post(link, {"new_password1": password, "new_password2": password})


@pytest.mark.django_db
def test_an_administrator_invites_a_buyer_who_sets_a_password_and_signs_in(
    team, programme_admin, smtp_server, site_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(signed_in(programme_admin), team.buyer_org, Role.BUYER_VIEWER, language="zh-hans")
    assert response.status_code == 302
    [email] = smtp_server.to("new@example.org")
    with translation.override("zh-hans"):
        assert email.subject == gettext("You are invited to IMS: %(organisation)s") % {"organisation": "Brand A"}
    assert email.message["Content-Language"] == "zh-hans"
    link = link_in(email, site_url)
    assert link.startswith("/zh-hans/accounts/invitation/")
    assert "Sok Kanha" in Client().get(link).text
    assert accept(link).status_code == 200
    user = User.objects.get(email="new@example.org")
    assert roles_of(user) == {Role.BUYER_VIEWER} and user.preferred_language == "zh-hans"
    assert user.memberships.get().organisation == team.buyer_org
    client = Client()
    assert (
        client.post("/en/accounts/login/", {"username": "new@example.org", "password": NEW_PASSWORD}).status_code == 302
    )
    assert "_auth_user_id" in client.session
    # the link is spent
    assert accept(link, "another long passphrase 77").status_code == 404
    assert Invitation.objects.get().accepted_at is not None


@pytest.mark.django_db
def test_a_factory_manager_invites_colleagues_of_their_own_factory_only(team, smtp_server):
    manager = signed_in(team.manager)
    own = Organisation.objects.get(factory=team.factory)
    other = Organisation.objects.get(factory=team.other_factory)
    assert invite(manager, other, Role.FACTORY_MANAGER).status_code == 400
    assert invite(manager, team.buyer_org, Role.BUYER_VIEWER).status_code == 400
    assert invite(manager, own, Role.MONITOR).status_code == 400
    assert not Invitation.objects.exists()
    assert invite(manager, own, Role.FACTORY_MANAGER).status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role, invitation.invited_by) == (own, "factory_manager", team.manager)
    assert signed_in(team.buyer).get("/en/accounts/invitations/").status_code == 403


@pytest.mark.django_db
def test_an_address_with_an_account_is_not_invited_again(team, programme_admin, smtp_server):
    response = invite(signed_in(programme_admin), team.buyer_org, Role.BUYER_VIEWER, email=team.buyer.email.upper())
    assert response.status_code == 400 and "already has an account" in response.text
    assert not Invitation.objects.exists() and smtp_server.received == []


@pytest.mark.django_db
def test_an_expired_or_altered_link_opens_nothing(
    team, programme_admin, smtp_server, site_url, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(signed_in(programme_admin), team.buyer_org, Role.BUYER_VIEWER)
    link = link_in(smtp_server.to("new@example.org")[0], site_url)
    assert Client().get(link[:-3] + "xx/").status_code == 404
    settings.IMS_INVITATION_DAYS = 0
    assert accept(link).status_code == 404
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_the_administrators_start_page_counts_invitations_waiting(team, programme_admin, smtp_server):
    invite(signed_in(programme_admin), team.buyer_org, Role.BUYER_VIEWER)
    page = signed_in(programme_admin).get("/en/accounts/start/")
    assert re.search(r'data-count="1">1</strong> Invitations waiting to be accepted', page.text)


@pytest.mark.django_db
def test_an_invitation_that_failed_to_go_is_sent_by_the_hourly_retry_once(
    team, programme_admin, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(signed_in(programme_admin), team.buyer_org, Role.BUYER_VIEWER).status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.attempts) == ("failed", 1)
    smtp_server.start()
    assert retry_invitations.enqueue().return_value == 1
    assert retry_invitations.enqueue().return_value == 0  # sent: nothing left to retry
    assert len(smtp_server.to("new@example.org")) == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("sent", 2)
