from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from ims.accounts.models import Membership, Organisation, Role, User
from ims.checklists.models import ChecklistVersion
from ims.factories.models import Factory, Province

PASSWORD = "a-long-test-password-42"


def ensure_content():
    """Load the repository's content unless it is already in the database."""
    if not ChecklistVersion.objects.exists():
        call_command("load_content", verbosity=0, stdout=StringIO())


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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs half a second a user on purpose; tests create dozens."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Publishing renders PDFs and stores photos: never into the checkout's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english_by_default():
    """Requests leave their language active in the thread; each test starts from English."""
    with translation.override("en"):
        yield


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
    from types import SimpleNamespace

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
    from datetime import date

    from ims.assessments.workflow import plan_assessment

    return plan_assessment(
        factory=team.factory, version=content, actor=team.head, visit_start=date(2026, 11, 2),
        visit_end=date(2026, 11, 3), monitors=[team.monitor, team.monitor2],
    )  # fmt: skip


def answer_all(assessment, user, noncompliant=()):
    """Answer every question compliant (or not applicable where conditional), except those listed."""
    from ims.assessments.models import Answer
    from ims.assessments.workflow import save_finding

    for question in assessment.checklist_version.questions.all():
        if question.code in noncompliant:
            answer = Answer.NON_COMPLIANT
        elif question.applies_if_id:
            answer = Answer.NOT_APPLICABLE
        else:
            answer = Answer.COMPLIANT
        save_finding(assessment, question_code=question.code, answer=answer, actor=user)
