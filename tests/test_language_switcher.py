"""The language switcher: from every kind of page, in every language, to each of the two others, whatever
language the browser asks for; signing in keeps the language the person chose."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

LANGUAGES = ("en", "km", "zh-hans")
# The browsers' own Accept-Language headers.
BROWSERS = {"English": "en-US,en;q=0.9", "Khmer": "km-KH,km;q=0.9", "Chinese": "zh-CN,zh;q=0.9"}
# Each kind of page, as a path after the language prefix: public, listed, with a query, about an object.
PUBLIC_PAGES = {
    "home": "",
    "list": "factories/",
    "list with a query": "factories/?q=Team&page=1",
    "object": "factories/TEAM-1/",
    "sign-in": "accounts/login/?next=/en/reports/",
}
PRIVATE_PAGES = {**PUBLIC_PAGES, "private list": "reports/", "private object": "assessments/{ref}/"}


def page_language(response):
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


def visitor_link(response, language):
    return unescape(re.search(rf'<a href="([^"]+)" hreflang="{language}"', response.text).group(1))


def switch_form(response):
    form = re.search(r'<form class="language-switcher" action="([^"]+)".*?</form>', response.text, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    next_page = re.search(r'name="next" type="hidden" value="([^"]*)"', form.group(0)).group(1)
    return form.group(1), token, unescape(next_page)


def expected_path(path, language):
    return f"/{language}/{path}"


@pytest.mark.django_db
@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("kind", PUBLIC_PAGES)
def test_a_visitor_switches_every_page_kind_to_each_other_language(team, browser, kind):
    visitor = Client(HTTP_ACCEPT_LANGUAGE=BROWSERS[browser])
    path = PUBLIC_PAGES[kind]
    for start in LANGUAGES:
        for target in (language for language in LANGUAGES if language != start):
            page = visitor.get(expected_path(path, start))
            assert page.status_code == 200 and page_language(page) == start
            link = visitor_link(page, target)
            assert link == expected_path(path, target)  # the sign-in page translates its next page itself
            switched = visitor.get(link)
            assert switched.status_code == 200
            assert page_language(switched) == target, (browser, kind, start, target)


@pytest.mark.django_db
@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("kind", [kind for kind in PRIVATE_PAGES if kind != "sign-in"])
def test_a_signed_in_user_switches_every_page_kind_to_each_other_language(team, published_report, browser, kind):
    user = Client(HTTP_ACCEPT_LANGUAGE=BROWSERS[browser])
    user.force_login(team.head)
    path = PRIVATE_PAGES[kind].format(ref=published_report.ref)
    for start in LANGUAGES:
        for target in (language for language in LANGUAGES if language != start):
            page = user.get(expected_path(path, start))
            assert page.status_code == 200 and page_language(page) == start
            action, token, next_page = switch_form(page)
            assert next_page == expected_path(path, start)
            response = user.post(action, {"csrfmiddlewaretoken": token, "language": target, "next": next_page})
            assert response.status_code == 302
            assert response["Location"] == expected_path(path, target), (browser, kind, start, target)
            switched = user.get(response["Location"])
            assert page_language(switched) == target
    team.head.refresh_from_db()
    assert team.head.preferred_language == "km"  # the last switch: from Chinese to Khmer


@pytest.mark.django_db
@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("chosen", LANGUAGES)
def test_signing_in_keeps_the_language_chosen_on_the_sign_in_page(make_user, browser, chosen):
    user = make_user("dara@example.org", language="zh-hans" if chosen != "zh-hans" else "km")
    client = Client(HTTP_ACCEPT_LANGUAGE=BROWSERS[browser])
    response = client.post(
        f"/{chosen}/accounts/login/?next=/en/factories/", {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/{chosen}/factories/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == chosen
    user.refresh_from_db()
    assert user.preferred_language == chosen  # emails now come in it too
    assert client.get("/")["Location"] == f"/{chosen}/"
