"""Remediation pages in each language, and who may see them: a matrix of roles against a factory's tracker."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from ims.grants.models import AccessGrant
from ims.remediation.verification import verify_factory
from ims.responses.grants import grant_access
from ims.responses.services import add_action
from tests.clients import url
from tests.factories import finding, publish_visit

EXIT = "OS.8.7"  # emergency exits locked
WAGE = "CO.1.1"  # minimum wage

LANGUAGES = ("en", "km", "zh-hans")


@pytest.fixture
def history(team, content):
    """Two published visits: the exits remediated, the wage persistent, an overdue action for each."""
    first = publish_visit(team, content, date(2025, 3, 2), (EXIT, WAGE))
    exit_action = add_action(finding(first, EXIT), team.manager, "Remove the padlocks", "Mr Dara", date(2025, 4, 1))
    wage_action = add_action(finding(first, WAGE), team.manager, "Pay the arrears", "Ms Lina", date(2025, 4, 15))
    second = publish_visit(team, content, date(2025, 9, 7), (WAGE,))
    verify_factory(team.factory)
    return {"first": first, "second": second, "exit_action": exit_action, "wage_action": wage_action}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tracker_and_the_overdue_list_render_in_each_language(client, team, history, language):
    client.force_login(team.manager)
    page = client.get(url("remediation:factory", team.factory.ref, language=language))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'lang="{language}"' in html
    with translation.override(language):
        assert team.factory.display_name in html
    assert html.count('class="badge badge-missing overdue"') == 1  # the wage action; the exits were remediated
    assert "Remove the padlocks" in html and "Pay the arrears" in html
    assert url("responses:update_action", history["wage_action"].pk, language=language) in html
    assert url("responses:add_action", finding(history["second"], WAGE).pk, language=language) in html

    client.force_login(team.head)
    overdue = client.get(url("remediation:overdue", language=language))
    assert overdue.status_code == 200
    html = overdue.content.decode()
    assert f'id="action-{history["wage_action"].pk}"' in html
    assert f'id="action-{history["exit_action"].pk}"' not in html
    days = (timezone.localdate() - date(2025, 4, 15)).days
    assert f'<td class="number">{days}</td>' in html
    assert client.get(url("remediation:index", language=language)).url == url("remediation:overdue", language=language)


@pytest.mark.django_db
def test_the_overdue_list_filters_by_factory(client, team, history):
    client.force_login(team.head)
    html = client.get(url("remediation:overdue"), {"factory": team.other_factory.ref}).content.decode()
    assert "Pay the arrears" not in html
    html = client.get(url("remediation:overdue"), {"factory": team.factory.ref.lower()}).content.decode()
    assert "Pay the arrears" in html


@pytest.mark.django_db
def test_the_factory_manager_is_sent_to_the_own_tracker(client, team, history):
    client.force_login(team.manager)
    assert client.get(url("remediation:index")).url == url("remediation:factory", team.factory.ref)


OUTSIDERS = ("anonymous", "other_manager", "buyer_without_grant", "buyer_grant_expired", "partner")


def persona(name, team):
    if name == "anonymous":
        return None
    if name == "buyer_grant_expired":
        grant = grant_access(team.factory, team.buyer_org, team.manager, expires_at=timezone.now() + timedelta(days=1))
        AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        return team.buyer
    return {"other_manager": team.other_manager, "buyer_without_grant": team.buyer, "partner": team.partner}[name]


@pytest.mark.django_db
@pytest.mark.parametrize("name", OUTSIDERS)
def test_outsiders_see_no_tracker_and_no_overdue_list(client, team, history, name):
    user = persona(name, team)
    if user:
        client.force_login(user)
    tracker = client.get(url("remediation:factory", team.factory.ref))
    overdue = client.get(url("remediation:overdue"))
    if user is None:
        assert tracker.status_code == overdue.status_code == 302
        assert tracker.url.startswith(url("accounts:login"))
    else:
        assert (tracker.status_code, overdue.status_code) == (404, 403)
    for page in (tracker, overdue):
        assert b"Pay the arrears" not in page.content


@pytest.mark.django_db
def test_insiders_see_the_tracker_each_with_what_they_may_do(client, team, history):
    grant_access(team.factory, team.buyer_org, team.manager)
    expected = {
        team.manager: (200, True, 403),  # own factory: tracker with action links; no cross-factory list
        team.buyer: (200, False, 403),  # granted buyer: reads the tracker only
        team.head: (200, False, 200),
        team.monitor: (200, False, 200),
    }
    update_link = url("responses:update_action", history["wage_action"].pk)
    for user, (tracker_status, may_respond, overdue_status) in expected.items():
        client.force_login(user)
        tracker = client.get(url("remediation:factory", team.factory.ref))
        assert tracker.status_code == tracker_status, user
        assert b"Pay the arrears" in tracker.content
        assert (update_link in tracker.content.decode()) == may_respond, user
        assert client.get(url("remediation:overdue")).status_code == overdue_status, user
    client.force_login(team.manager)
    assert client.get(url("remediation:factory", team.other_factory.ref)).status_code == 404
