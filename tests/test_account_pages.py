"""One's own account: profile, password change and reset by email, API tokens (issue 16; issue 15, item 9)."""

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ims.api.models import ApiToken
from tests.factories import PASSWORD

API = "/api/v1"
NEW_PASSWORD = "another long passphrase 42"


def api_token(email, password=PASSWORD):
    return APIClient().post(f"{API}/auth/token/", {"email": email, "password": password}, format="json")


def opens_the_api(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(f"{API}/assessments/").status_code


@pytest.fixture
def monitor(team):
    return team.monitor


@pytest.mark.django_db
def test_a_token_expires_after_the_configured_days(monitor, settings):
    settings.IMS_API_TOKEN_DAYS = 30
    before = timezone.now()
    answer = api_token(monitor.email).json()
    token = ApiToken.objects.get(user=monitor)
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    assert datetime.fromisoformat(answer["expires_at"]) == token.expires_at
    assert opens_the_api(answer["token"]) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = APIClient(HTTP_AUTHORIZATION=f"Token {answer['token']}").get(f"{API}/assessments/")
    assert refused.status_code == 401
    assert refused.json()["message"] == "This token has expired: ask for a new one."


@pytest.mark.django_db
def test_changing_the_password_on_the_page_revokes_every_token_of_the_account_only(team, monitor):
    keys = [api_token(monitor.email).json()["token"] for _ in range(2)]
    colleague_key = api_token(team.monitor2.email).json()["token"]
    client = Client()
    client.force_login(monitor)
    response = client.post(
        "/en/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/en/accounts/profile/"
    assert [opens_the_api(key) for key in keys] == [401, 401]
    assert opens_the_api(colleague_key) == 200
    assert client.get("/en/accounts/profile/").status_code == 200  # still signed in on the page used
    assert api_token(monitor.email, NEW_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing(monitor):
    key = api_token(monitor.email).json()["token"]
    client = Client()
    client.force_login(monitor)
    response = client.post(
        "/en/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.text
    assert opens_the_api(key) == 200
    monitor.refresh_from_db()
    assert monitor.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_token_page_lists_ones_own_tokens_creates_one_shown_once_and_revokes(team, monitor):
    other_token, _key = ApiToken.objects.issue(team.monitor2)
    client = Client()
    client.force_login(monitor)
    created = client.post("/en/accounts/tokens/")
    key = re.search(r'<code class="new-token">([^<]+)</code>', created.text).group(1)
    assert opens_the_api(key) == 200
    token = ApiToken.objects.get(user=monitor)
    assert key.startswith(token.prefix) and key not in client.get("/en/accounts/tokens/").text
    listing = client.get("/en/accounts/tokens/").text
    assert f"{token.prefix}…" in listing and f"{other_token.prefix}…" not in listing
    # someone else's token is not found, and stays
    assert client.post(f"/en/accounts/tokens/{other_token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=other_token.pk).exists()
    revoked = client.post(f"/en/accounts/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302 and revoked["Location"] == "/en/accounts/tokens/"
    assert opens_the_api(key) == 401
    assert not ApiToken.objects.filter(user=monitor).exists()


@pytest.mark.django_db
def test_the_profile_saves_name_email_and_language_and_the_page_follows_the_language(monitor):
    client = Client()
    client.force_login(monitor)
    response = client.post(
        "/en/accounts/profile/",
        {
            "full_name": "Sok Dara",
            "email": "Dara@Example.org",
            "preferred_language": "zh-hans",
            "notice_delivery": "daily",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/zh-hans/accounts/profile/"
    monitor.refresh_from_db()
    saved = (monitor.full_name, monitor.email, monitor.preferred_language, monitor.notice_delivery)
    assert saved == ("Sok Dara", "dara@example.org", "zh-hans", "daily")


@pytest.mark.django_db
def test_the_profile_refuses_an_address_another_account_uses(team, monitor):
    client = Client()
    client.force_login(monitor)
    response = client.post(
        "/en/accounts/profile/",
        {"full_name": "X", "email": team.head.email.upper(), "preferred_language": "en", "notice_delivery": "daily"},
    )
    assert response.status_code == 400
    assert "A user with this email address already exists." in response.text
    monitor.refresh_from_db()
    assert monitor.email == "monitor@team.example"


@pytest.mark.django_db
def test_password_reset_by_email_in_the_accounts_language_sets_a_password_once(monitor, smtp_server, site_url):
    key = api_token(monitor.email).json()["token"]
    visitor = Client()
    sent = visitor.post("/en/accounts/password/reset/", {"email": "Monitor@Team.example"})
    assert sent.status_code == 302 and sent["Location"] == "/en/accounts/password/reset/sent/"
    [email] = smtp_server.received
    assert email.recipients == [monitor.email]
    assert email.subject == "កំណត់ពាក្យសម្ងាត់ IMS ថ្មី"  # the monitor reads Khmer
    link = re.search(rf"{re.escape(site_url)}(/km/accounts/password/reset/\S+/)", email.body).group(1)
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.text
    form_url = form_page.redirect_chain[-1][0]
    done = visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/km/accounts/login/"
    monitor.refresh_from_db()
    assert monitor.check_password(NEW_PASSWORD)
    assert opens_the_api(key) == 401
    # the link works once
    assert 'name="new_password1"' not in visitor.get(link, follow=True).text


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(db, smtp_server):
    sent = Client().post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert sent.status_code == 302 and sent["Location"] == "/en/accounts/password/reset/sent/"
    assert smtp_server.received == []
