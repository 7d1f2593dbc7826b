"""Every page fits a 390 px phone screen, in the three languages, in headless Chromium.

The pages are the URL patterns of the generated authorization tests (tests/policy_matrix.py) that answer a
GET with HTML, each opened in every object state by someone the policy table lets open it, in the world of
tests/policy_world.py. The browser's requests are answered by Django's test client in the test's own thread
and transaction, so the world needs no committing and is rolled back at the end.
"""

from urllib.parse import urlsplit

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from tests.clients import wait_for_fonts
from tests.policy_matrix import SPECS, expected_allowed, url_of
from tests.policy_world import PERSONAS, world_in_a_transaction

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ORIGIN = "http://testserver"
LANGUAGES = ("en", "km", "zh-hans")
# Who opens a page: the first of these the table lets open it (the team's monitor before the factory's
# manager, so capture pages are seen as the monitor sees them).
# The states richest in content first: a published report being corrected has findings, photos, objections.
STATE_ORDER = ("correcting", "approved", "submitted", "returned", "in_progress", "planned")
OPENERS = ("head", "monitor_on_team", "manager", "buyer_granted", "admin", "trainer", "partner", "anonymous")


# Halfway down the page, how many pixels of the screen bars that stay put (sticky or fixed) cover.
COVERED_WHEN_SCROLLED = """() => {
    window.scrollTo(0, document.documentElement.scrollHeight / 2);
    return [...document.querySelectorAll("body *")]
        .filter((node) => ["sticky", "fixed"].includes(getComputedStyle(node).position))
        .map((node) => node.getBoundingClientRect())
        .map((box) => Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0)))
        .reduce((sum, height) => sum + height, 0);
}"""


def page_kinds(world):
    """(persona, URL) for every HTML page pattern and object state; public pages also as a visitor."""
    visits = []
    for name, spec in SPECS.items():
        action = spec.actions.get("GET")
        if action is None or spec.json or name.startswith("api:") or callable(action):
            continue
        # One state per page kind: the first of STATE_ORDER in which someone may open it.
        states = sorted(
            spec.object_states(world), key=lambda state: STATE_ORDER.index(state) if state in STATE_ORDER else 0
        )
        for state in states:
            opener = next((p for p in OPENERS if expected_allowed(action, PERSONAS[p], state)), None)
            if opener is not None:
                visits.append((name, opener, url_of(name, spec.args(world, state) if spec.args else {})))
                break
    unopened = {name for name, spec in SPECS.items() if spec.actions.get("GET") and not spec.json} - {
        name for name, _persona, _url in visits
    }
    assert not unopened or all(name.startswith("api:") for name in unopened), unopened
    # A visitor's header differs (language links, no account): seen on two public pages.
    visits += [(name, "anonymous", url_of(name, {})) for name in ("core:home", "factories:directory")]
    return [(persona, url) for _name, persona, url in visits]


def in_language(url, language):
    return f"/{language}/{url[len('/en/') :]}" if url.startswith("/en/") else url


@pytest.fixture(scope="module")
def world(browser, django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once Chromium runs: Playwright changes the context in which Django keeps its connection."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), world_in_a_transaction(media) as built:
        built.media = media
        yield built


def answered_by(client, missing, failed):
    """A Playwright route handler that answers the page's requests with the Django test client.

    Playwright calls it in its own greenlet, where Django would open a connection of its own (it keeps them
    per context), outside the test's transaction: the handler is given the test's connection."""
    test_connection = connections[DEFAULT_DB_ALIAS]

    def handle(route):
        connections[DEFAULT_DB_ALIAS] = test_connection
        request = route.request
        address = urlsplit(request.url)
        if f"{address.scheme}://{address.netloc}" != ORIGIN:
            route.abort()
            return
        path = address.path + (f"?{address.query}" if address.query else "")
        try:
            # Chromium does not follow a redirect fulfilled by a route handler: the client follows it.
            response = client.get(path, follow=True)
        except Exception as error:  # the test client raises what a view raised: the page shows as failed
            failed.append(f"{path}: {error!r}")
            route.fulfill(status=500, body=b"")
            return
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code == 404:
            missing.append(path)
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)

    return handle


def test_no_page_is_wider_than_a_phone_screen_in_any_language(world, db, settings, browser_context):
    settings.MEDIA_ROOT = world.media
    clients = {}
    for persona in OPENERS:
        clients[persona] = Client()
        if world.users[persona] is not None:
            clients[persona].force_login(world.users[persona])
    visits = page_kinds(world)
    too_wide, covered_by_bars, not_opened, missing, failed, html_pages = [], [], [], [], [], 0
    for persona in OPENERS:
        context = browser_context(viewport=PHONE)
        context.route("**/*", answered_by(clients[persona], missing, failed))
        page = context.new_page()
        for opener, url in visits:
            if opener != persona:
                continue
            for language in LANGUAGES:
                address = in_language(url, language)
                try:
                    response = page.goto(ORIGIN + address, wait_until="load")
                except PlaywrightError as error:
                    if "Download is starting" in error.message:
                        continue  # a CSV or PDF download: not a page
                    raise
                if response.status != 200:
                    not_opened.append(f"{address} as {persona}: {response.status}")
                    continue
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue  # a PDF, a CSV, an XLSForm: not a page
                html_pages += 1
                wait_for_fonts(page)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    too_wide.append(f"{address} as {persona}: {width} px")
                covered = page.evaluate(COVERED_WHEN_SCROLLED)
                if covered > PHONE["height"] * 0.1:
                    covered_by_bars.append(f"{address} as {persona}: {covered} px")
    assert not failed, failed
    assert html_pages >= 3 * 55, html_pages  # every page kind was really seen, in three languages
    assert not not_opened, not_opened
    assert not too_wide, "\n".join(too_wide)
    assert not covered_by_bars, "\n".join(covered_by_bars)
    assert not missing, f"requests answered 404: {sorted(set(missing))}"


def test_the_main_menu_folds_behind_a_button_on_a_phone(world, db, browser_context):
    client = Client()
    client.force_login(world.users["head"])
    context = browser_context(viewport=PHONE)
    context.route("**/*", answered_by(client, [], []))
    page = context.new_page()
    page.goto(f"{ORIGIN}/km/", wait_until="load")
    menu = page.locator("#main-menu")
    links = menu.locator("a")
    assert links.count() > 5 and not menu.is_visible()
    toggle = page.get_by_role("button", name="ម៉ឺនុយ")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.is_visible() and all(links.nth(index).is_visible() for index in range(links.count()))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
