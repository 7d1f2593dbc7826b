"""Fixtures every test module may use; the plain helpers they call are in tests/factories.py (data) and
tests/clients.py (reaching the app), the SMTP server in tests/smtp.py. No test module imports from another."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from ims.accounts.models import Membership, Organisation, Role, User
from ims.assessments.workflow import plan_assessment, transition
from ims.checklists.models import ChecklistVersion
from ims.factories.models import Contact, Factory, Province
from ims.responses.services import add_action, object_to_finding, rule_on_objection, update_action
from tests.clients import CHROMIUM, CHROMIUM_ARGS
from tests.factories import (
    ACTION,
    NOTED_NONCOMPLIANCES,
    OBJECTION,
    PASSWORD,
    PROGRESS_NOTE,
    RULING,
    ensure_content,
    publish_visit,
)
from tests.smtp import SmtpServer


class OneRequestAtATime(WSGIServer):
    """The live server's HTTP server, answering one request at a time.

    On SQLite the test database lives in memory, and every thread of Django's threaded live server uses the
    test's one connection: two requests at once (a page and its service worker, say) read each other's rows,
    a 500 by chance. Not threaded, Django's server closes each connection after its answer, so a browser's
    requests queue instead of waiting on a kept-alive connection."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)  # the thread serving it has the connections already


LiveServerThread.server_class = OneRequestAtATime

SITE = "https://ims.example.org"


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"


@pytest.fixture(autouse=True, scope="session")
def cache_in_this_process():
    """Tests clear the cache freely, with or without a database: a per-process cache for them.
    The shared database cache that deployments use is tested in tests/test_operations.py (rate limits
    counted across cache handles) and tests/production_stack.py (across two app servers)."""
    from django.test import override_settings

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        yield


# The content, loaded once for the session, survives the tests run in a transaction that is rolled back; a
# transactional test (live server, threads) ends by emptying every table instead. The next test that needs it
# would then load it again inside its own transaction, and so would each one after it: with xdist's loadfile,
# a module's transactional tests run last and the next module starts on an empty database. So the content is
# put back once, committed, after the last of a row of transactional tests.
_content_may_be_gone = False


def _database_use(item):
    """None, "transaction" (rolled back at the end) or "flush" (tables emptied at the end), as pytest-django."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return "flush"
    if {"transactional_db", "live_server"} & set(item.fixturenames):
        return "flush"
    if marker or "db" in item.fixturenames:
        return "transaction"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    global _content_may_be_gone
    result = yield
    _content_may_be_gone = _content_may_be_gone or _database_use(item) == "flush"
    if _content_may_be_gone and nextitem is not None and _database_use(nextitem) == "transaction":
        with item.config.stash[blocking_manager_key].unblock():
            ensure_content()
        _content_may_be_gone = False
    return result


# Every test


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs half a second a user on purpose; tests create dozens."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Publishing renders PDFs and stores photos: never into the checkout's var/media. Tests that read the
    files ask for this fixture by name: it is the folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english_by_default():
    """Requests leave their language active in the thread; each test starts from English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters and cached figures live in the cache, which outlives each test's database."""
    cache.clear()


# Data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_content()


@pytest.fixture
def content(db):
    ensure_content()
    return ChecklistVersion.objects.get()


@pytest.fixture
def phnom_penh(db):
    ensure_content()
    return Province.objects.get(code="KH-12")


@pytest.fixture
def make_factory(phnom_penh):
    def make(ref="T-001", **fields):
        fields = {"name_en": f"Factory {ref}", "sector": "garment", "province": phnom_penh, **fields}
        return Factory.objects.create(ref=ref, **fields)

    return make


@pytest.fixture
def make_user(db):
    def make(email, role=None, organisation=None, language="en", **fields):
        user = User.objects.create_user(
            email, PASSWORD, full_name=email.split("@")[0], preferred_language=language, **fields
        )
        if role:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def programme(db):
    return Organisation.objects.create(name="Test Programme", kind=Organisation.Kind.PROGRAMME)


@pytest.fixture
def programme_admin(make_user, programme):
    return make_user("admin@test.example", Role.PROGRAMME_ADMIN, programme)


@pytest.fixture
def team(make_user, make_factory, programme):
    """One of each role around one factory, with a buyer that the factory has not yet granted."""
    factory = make_factory("TEAM-1", name_en="Team Factory", name_km="រោងចក្រក្រុម", name_zh="团队工厂")
    factory_org = Organisation.objects.create(name="Team Factory", kind=Organisation.Kind.FACTORY, factory=factory)
    other_factory = make_factory("TEAM-2", name_en="Other Factory")
    other_org = Organisation.objects.create(name="Other Factory", kind=Organisation.Kind.FACTORY, factory=other_factory)
    buyer_org = Organisation.objects.create(name="Brand A", kind=Organisation.Kind.BUYER)
    other_buyer_org = Organisation.objects.create(name="Brand B", kind=Organisation.Kind.BUYER)
    partner_org = Organisation.objects.create(name="Union C", kind=Organisation.Kind.PARTNER, partner_type="union")
    return SimpleNamespace(
        factory=factory,
        other_factory=other_factory,
        buyer_org=buyer_org,
        monitor=make_user("monitor@team.example", Role.MONITOR, programme, language="km"),
        monitor2=make_user("monitor2@team.example", Role.MONITOR, programme),
        head=make_user("head@team.example", Role.HEAD, programme),
        manager=make_user("manager@team.example", Role.FACTORY_MANAGER, factory_org, language="zh-hans"),
        other_manager=make_user("manager@other.example", Role.FACTORY_MANAGER, other_org),
        buyer=make_user("buyer@brand-a.example", Role.BUYER_VIEWER, buyer_org),
        other_buyer=make_user("buyer@brand-b.example", Role.BUYER_VIEWER, other_buyer_org),
        partner=make_user("analyst@union.example", Role.PARTNER_ANALYST, partner_org),
    )


@pytest.fixture
def assessment(team, content):
    return plan_assessment(
        factory=team.factory, version=content, actor=team.head, visit_start=date(2026, 11, 2),
        visit_end=date(2026, 11, 3), monitors=[team.monitor, team.monitor2],
    )  # fmt: skip


@pytest.fixture
def started(assessment, team):
    """The assessment being captured."""
    return transition(assessment, "start", team.monitor)


@pytest.fixture
def published_report(team, content):
    """A demo-like report of the team's factory: a previous visit to compare with, notes in three languages,
    an objection with its ruling and an action plan with a progress note."""
    publish_visit(team, content, date(2025, 11, 3), {"OS.8.7": ("", "en"), "CO.1.1": ("", "en")})
    assessment = publish_visit(team, content, date(2026, 11, 2), NOTED_NONCOMPLIANCES, workers_total=1200,
                               workers_female=1010, interviews_workers=24, interviews_managers=3)  # fmt: skip
    exits = assessment.findings.get(question__code="OS.8.7")
    objection = object_to_finding(exits, team.manager, OBJECTION, "en")
    rule_on_objection(objection, team.head, "upheld", RULING)
    item = add_action(exits, team.manager, ACTION, "Mr Dara", date(2026, 12, 1))
    update_action(item, team.manager, item.row_version, status="in_progress", note=PROGRESS_NOTE)
    return assessment


@pytest.fixture
def contacts(team):
    """The team factory's contacts: three read email in their language, one is written to on paper."""

    def add(name, language, email="", **fields):
        return Contact.objects.create(factory=team.factory, name=name, email=email, preferred_language=language,
                                      has_email=bool(email), **fields)  # fmt: skip

    return {
        "km": add("Sok Sophea", "km", "sophea@team-factory.example", is_primary=True),
        "zh-hans": add("Wang Li", "zh-hans", "wang@team-factory.example"),
        "en": add("Jane Smith", "en", "jane@team-factory.example"),
        "paper": add("Chan Dara", "km", phone="012 345 678", position="HR officer"),
    }


# Background work and outside services


@pytest.fixture
def tasks_run_immediately(settings):
    """Queued background tasks run at once, in the test (by default they wait in the database for a worker)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def pdfs_not_typeset(monkeypatch):
    """For tests that publish but read no PDF: the rendering task still runs whenever publication or a
    response queues it, but typesets nothing (six PDFs a revision cost seconds). The PDF tests do not use this."""

    def typeset_nothing(revision, progress=None):
        return []

    monkeypatch.setattr("ims.reports.rendering.render_revision", typeset_nothing)


@pytest.fixture
def site_url(settings):
    """The public address emails link to."""
    settings.IMS_SITE_URL = SITE
    return SITE


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, the one the app sends through for the test."""
    server = SmtpServer()
    server.start()
    settings.MAILERS = {"default": server.mailer}
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module. Playwright's sync API keeps an event loop running in the test
    thread; the ORM calls made around it (test data, database flushes) are still synchronous, so Django's
    async guard is lifted for as long as the browser lives."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def csp_refusals(console_text):
    return [console_text] if "Content Security Policy" in console_text else []


@pytest.fixture
def browser_context(browser):
    """Opens browser contexts (a window with its own cookies, size and network) closed after the test.

    Every page runs under the Content Security Policy: anything it refuses (an inline style or script, a
    resource from elsewhere) fails the test, since in a real browser that part of the page silently breaks."""
    contexts, refused = [], []

    def open_context(**options):
        context = browser.new_context(**options)
        context.on("console", lambda message: refused.extend(csp_refusals(message.text)))
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    assert not refused, refused


@pytest.fixture
def page(browser_context):
    """A desktop-sized page."""
    return browser_context(viewport={"width": 1024, "height": 768}).new_page()
