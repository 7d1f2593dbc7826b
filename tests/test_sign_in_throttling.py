"""Password guessing (issue 15, item 1): failures are counted per account and per real client address on every
sign-in path, and a forged X-Forwarded-For header neither hides the address nor resets the count."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD

GUESSES = 40
API = "/api/v1"


def forged(number):
    """A different made-up X-Forwarded-For for every request, as an attacker would send."""
    return f"203.0.113.{number % 250}, 198.51.100.{number % 250}"


def web_sign_in(client, email, password, **headers):
    return client.post("/en/accounts/login/", {"username": email, "password": password}, **headers)


def token_request(client, email, password, **headers):
    return client.post(f"{API}/auth/token/", {"email": email, "password": password}, format="json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("forge_headers", [False, True], ids=["plain", "forged X-Forwarded-For"])
def test_forty_guesses_on_the_web_then_the_right_password_cannot_sign_in(make_user, forge_headers):
    user = make_user("target@example.org")
    client = Client()
    for number in range(GUESSES):
        headers = {"HTTP_X_FORWARDED_FOR": forged(number)} if forge_headers else {}
        web_sign_in(client, user.email, f"guess-{number}", **headers)
    response = web_sign_in(client, user.email, PASSWORD, HTTP_X_FORWARDED_FOR=forged(GUESSES))
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("forge_headers", [False, True], ids=["plain", "forged X-Forwarded-For"])
def test_forty_guesses_at_the_token_endpoint_then_the_right_password_gets_no_token(make_user, forge_headers):
    user = make_user("target@example.org")
    client = APIClient()
    statuses = []
    for number in range(GUESSES):
        headers = {"HTTP_X_FORWARDED_FOR": forged(number)} if forge_headers else {}
        statuses.append(token_request(client, user.email, f"guess-{number}", **headers).status_code)
    assert statuses[0] == 400  # a wrong password, told as such
    assert statuses[-1] == 429  # then locked out
    response = token_request(client, user.email, PASSWORD, HTTP_X_FORWARDED_FOR=forged(GUESSES))
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "locked_out" and body["details"]["wait_seconds"] == 15 * 60
    assert "token" not in body


@pytest.mark.django_db
def test_guesses_from_many_addresses_lock_the_account(make_user, settings):
    user = make_user("target@example.org")
    for number in range(settings.AXES_FAILURE_LIMIT):
        web_sign_in(Client(REMOTE_ADDR=f"192.0.2.{number + 1}"), user.email, "wrong")
    fresh_address = Client(REMOTE_ADDR="192.0.2.200")
    assert web_sign_in(fresh_address, user.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in fresh_address.session


@pytest.mark.django_db
def test_guesses_at_many_accounts_lock_the_address_but_not_other_addresses(make_user, settings):
    victims = [make_user(f"user{number}@example.org") for number in range(settings.AXES_FAILURE_LIMIT + 1)]
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for victim in victims[:-1]:
        web_sign_in(attacker, victim.email, "wrong")
    # one guess per account, yet the address is locked, even with a right password
    assert web_sign_in(attacker, victims[-1].email, PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="192.0.2.67")
    assert web_sign_in(colleague, victims[-1].email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_address_it_saw_counts_and_what_the_client_wrote_does_not(make_user, settings):
    settings.IMS_TRUSTED_PROXY_COUNT = 1
    victims = [make_user(f"user{number}@example.org") for number in range(settings.AXES_FAILURE_LIMIT + 1)]
    proxy = "10.0.0.2"  # every request reaches the app from the proxy
    attacker = Client(REMOTE_ADDR=proxy)
    for number, victim in enumerate(victims[:-1]):
        # the client forged the left part; the proxy appended the address it saw
        web_sign_in(attacker, victim.email, "wrong", HTTP_X_FORWARDED_FOR=f"{forged(number)}, 198.18.0.9")
    locked = web_sign_in(attacker, victims[-1].email, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.18.0.9")
    assert locked.status_code == 429
    # another client behind the same proxy is not the attacker
    other = Client(REMOTE_ADDR=proxy)
    assert web_sign_in(other, victims[-1].email, PASSWORD, HTTP_X_FORWARDED_FOR="198.18.0.10").status_code == 302


@pytest.mark.django_db
def test_the_open_data_rate_limit_is_not_reset_by_forged_forwarded_headers(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/minute", "user": "5/minute"},
    }
    client = APIClient()
    statuses = [
        client.get(f"{API}/public/factories", HTTP_X_FORWARDED_FOR=forged(number)).status_code for number in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3
