"""Two-factor authentication (issue 16): required for the head and administrators, offered to everyone; the
code step is throttled like the password, and the API's token endpoint asks for the code too."""

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import PASSWORD

GUESSES = 40
STEP = 30  # seconds: a code is good for one step (and the steps either side), and once only


def totp(secret, at=None):
    """RFC 6238: the six-digit code an authenticator app shows for a base32 key (30-second steps, SHA-1)."""
    counter = int((time.time() if at is None else at) // STEP)
    digest = hmac.new(b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(client, user, language="en", next_page=""):
    query = f"?next={next_page}" if next_page else ""
    return client.post(f"/{language}/accounts/login/{query}", {"username": user.email, "password": PASSWORD})


def enrol(client):
    """Set up the app from the setup page as a person would; returns (key, recovery codes, answer)."""
    page = client.get("/en/accounts/second-factor/setup/")
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', page.text).group(1)
    assert "<svg" in page.text  # the QR code to scan
    done = client.post("/en/accounts/second-factor/setup/", {"code": totp(secret)})
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.text)
    return secret, codes, done


def is_signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def enrolled_head(team):
    client = Client()
    sign_in(client, team.head)
    secret, codes, _done = enrol(client)
    return secret, codes


@pytest.mark.django_db
def test_the_head_must_set_up_the_app_before_the_first_sign_in_completes(team):
    client = Client()
    response = sign_in(client, team.head, "km", next_page="/en/reports/")
    assert response.status_code == 302 and response["Location"] == "/km/accounts/second-factor/setup/"
    assert not is_signed_in(client)
    assert client.get("/en/reports/")["Location"].startswith("/en/accounts/login/")  # nothing opens half-way
    client.get("/en/accounts/second-factor/setup/")
    page = client.post("/en/accounts/second-factor/setup/", {"code": "000000"})
    assert page.status_code == 400 and not is_signed_in(client)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', page.text).group(1)
    # the device's wait after a miss is over (see the next test)
    TOTPDevice.objects.filter(user=team.head).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=3))
    done = client.post("/km/accounts/second-factor/setup/", {"code": totp(secret)})
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert is_signed_in(client)
    assert 'href="/km/reports/"' in done.text  # on to the page asked for, in the language chosen
    assert client.get("/km/reports/").status_code == 200


@pytest.mark.django_db
def test_an_enrolled_head_signs_in_with_a_code_and_a_wrong_code_signs_nobody_in(team, enrolled_head):
    secret, _codes = enrolled_head
    client = Client()
    response = sign_in(client, team.head, next_page="/en/reports/")
    assert response["Location"] == "/en/accounts/second-factor/"
    right_code = totp(secret, time.time() + STEP)  # the enrolment used this step's code: an app shows the next
    wrong = client.post("/en/accounts/second-factor/", {"code": "123456" if right_code != "123456" else "654321"})
    assert wrong.status_code == 400 and "This code is not right" in wrong.text and not is_signed_in(client)
    # django-otp makes the device wait after a miss (2 s after the first): the right code is refused meanwhile
    assert client.post("/en/accounts/second-factor/", {"code": right_code}).status_code == 400
    TOTPDevice.objects.filter(user=team.head).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=3))
    right = client.post("/en/accounts/second-factor/", {"code": right_code})
    assert right.status_code == 302 and right["Location"] == "/en/reports/"
    assert is_signed_in(client)


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(team, enrolled_head):
    _secret, codes = enrolled_head
    first = Client()
    sign_in(first, team.head)
    assert first.post("/en/accounts/second-factor/", {"code": codes[0]}).status_code == 302
    again = Client()
    sign_in(again, team.head)
    assert again.post("/en/accounts/second-factor/", {"code": codes[0]}).status_code == 400
    assert not is_signed_in(again)


@pytest.mark.django_db
def test_forty_guessed_codes_with_forged_addresses_lock_the_code_step(team, enrolled_head):
    secret, _codes = enrolled_head
    client = Client()
    sign_in(client, team.head)
    for number in range(GUESSES):
        client.post(
            "/en/accounts/second-factor/", {"code": f"{number:06d}"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}"
        )
    response = client.post("/en/accounts/second-factor/", {"code": totp(secret)})
    assert response.status_code == 429 and not is_signed_in(client)
    # and the password step is locked for the account as well
    assert sign_in(Client(REMOTE_ADDR="192.0.2.9"), team.head).status_code == 429


@pytest.mark.django_db
def test_a_monitor_signs_in_with_the_password_alone_and_may_turn_the_app_on(team):
    client = Client()
    assert sign_in(client, team.monitor2)["Location"] == "/en/accounts/start/"
    assert is_signed_in(client)
    assert "Set up two-factor authentication" in client.get("/en/accounts/profile/").text
    secret, codes, done = enrol(client)
    assert len(codes) == 10 and 'href="/en/accounts/profile/"' in done.text
    later = Client()
    assert sign_in(later, team.monitor2)["Location"] == "/en/accounts/second-factor/"
    assert later.post("/en/accounts/second-factor/", {"code": totp(secret, time.time() + STEP)}).status_code == 302


@pytest.mark.django_db
def test_the_token_endpoint_asks_for_the_code_of_an_account_that_has_one(team, enrolled_head):
    secret, _codes = enrolled_head
    api = APIClient()
    asked = api.post("/api/v1/auth/token/", {"email": team.head.email, "password": PASSWORD}, format="json")
    assert asked.status_code == 400 and asked.json()["error"] == "second_factor_needed"
    given = {"email": team.head.email, "password": PASSWORD, "code": totp(secret, time.time() + STEP)}
    assert "token" in api.post("/api/v1/auth/token/", given, format="json").json()
    plain = api.post("/api/v1/auth/token/", {"email": team.monitor.email, "password": PASSWORD}, format="json")
    assert plain.status_code == 200


@pytest.mark.django_db
def test_a_head_without_the_app_gets_no_token_until_it_is_set_up(team):
    refused = APIClient().post("/api/v1/auth/token/", {"email": team.head.email, "password": PASSWORD}, format="json")
    assert refused.status_code == 400 and refused.json()["error"] == "second_factor_needed"


@pytest.mark.django_db
def test_the_administration_sites_own_sign_in_sends_to_the_sites(team):
    response = Client().post("/en/admin/login/?next=/en/admin/", {"username": team.head.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/en/accounts/login/?next=/en/admin/"
