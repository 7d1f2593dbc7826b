"""A buyer asks a factory for access (issue 16): the factory's managers are told by email and in the app, and
grant (an access grant, the buyer told) or decline (the buyer told)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from ims import policy
from ims.notifications.models import Notice
from ims.people.models import AccessRequest

pytestmark = pytest.mark.usefixtures("tasks_run_immediately")
REQUESTED = "%(buyer)s asks to read the reports of %(factory)s."
GRANTED = "%(factory)s gives your organisation access to its reports."
DECLINED = "%(factory)s declined your organisation's request to read its reports."


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def said(language, sentence, **values):
    with translation.override(language):
        return gettext(sentence) % values


def ask(buyer, factory):
    return signed_in(buyer).post("/en/accounts/access-requests/", {"factory": factory.ref, "message": "For our audit"})


@pytest.mark.django_db
def test_the_managers_are_told_and_granting_makes_a_grant_the_buyer_is_told_of(
    team, smtp_server, site_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(team.buyer, team.factory).status_code == 302
    [told] = smtp_server.to(team.manager.email)  # the manager reads Chinese
    assert said("zh-hans", REQUESTED, buyer="Brand A", factory="团队工厂") in told.subject
    assert f"{site_url}/zh-hans/accounts/access-requests/" in told.body.split()
    assert Notice.objects.filter(recipient=team.manager, event="access_requested").exists()
    assert smtp_server.to(team.other_manager.email) == []
    asked = AccessRequest.objects.get()
    manager_page = signed_in(team.manager).get("/zh-hans/accounts/access-requests/")
    assert "For our audit" in manager_page.text
    # another factory's manager cannot answer it
    assert signed_in(team.other_manager).post(f"/en/accounts/access-requests/{asked.pk}/decide/",
                                              {"decision": "grant"}).status_code == 404  # fmt: skip
    access_until = timezone.localdate() + timedelta(days=365)
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(team.manager).post(
            f"/en/accounts/access-requests/{asked.pk}/decide/",
            {"decision": "grant", "expires_on": access_until.isoformat()},
        )
    assert answer.status_code == 302
    asked.refresh_from_db()
    assert (asked.decision, asked.decided_by) == ("granted", team.manager)
    grant = policy.grants_in_force().get(factory=team.factory, buyer=team.buyer_org)
    assert timezone.localtime(grant.expires_at).date() == access_until
    [granted] = smtp_server.to(team.buyer.email)
    assert said("en", GRANTED, factory="Team Factory") in granted.subject


@pytest.mark.django_db
def test_a_declined_request_is_told_to_the_buyer_and_grants_nothing(team, smtp_server,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    ask(team.buyer, team.factory)
    asked = AccessRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(team.manager).post(f"/en/accounts/access-requests/{asked.pk}/decide/", {"decision": "decline"})
    assert not policy.grants_in_force().filter(factory=team.factory).exists()
    [declined] = smtp_server.to(team.buyer.email)
    assert said("en", DECLINED, factory="Team Factory") in declined.subject
    assert "Declined" in signed_in(team.buyer).get("/en/accounts/access-requests/").text
    # answered once
    again = signed_in(team.manager).post(f"/en/accounts/access-requests/{asked.pk}/decide/", {"decision": "grant"})
    assert again.status_code == 302 and not policy.grants_in_force().filter(factory=team.factory).exists()


@pytest.mark.django_db
def test_one_request_waits_at_a_time_and_none_where_access_is_given(team, smtp_server):
    ask(team.buyer, team.factory)
    repeated = ask(team.buyer, team.factory)
    assert repeated.status_code == 400 and "waiting for its answer already" in repeated.text
    assert AccessRequest.objects.count() == 1
    assert (
        signed_in(team.manager).post("/en/accounts/access-requests/", {"factory": team.factory.ref}).status_code == 403
    )


@pytest.mark.django_db
def test_the_factorys_start_page_counts_requests_waiting(team, smtp_server):
    ask(team.buyer, team.factory)
    page = signed_in(team.manager).get("/en/accounts/start/")
    assert 'data-count="1">1</strong> Access requests from buyers waiting for your answer' in page.text
