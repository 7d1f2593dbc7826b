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
