"""Dates and counts nobody plans with are refused with the reason, wherever they are entered, and nothing is
stored: year 1 or 9999 would otherwise be kept and then break the pages that read them."""

import datetime
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ims.advisory.models import EngagementCycle
from ims.assessments.models import Assessment
from ims.assessments.workflow import plan_assessment
from ims.core.errors import Invalid
from ims.factories.importing import import_factories
from ims.factories.models import Factory, WorkforceSnapshot
from ims.grants.models import AccessGrant
from ims.responses.grants import grant_access
from ims.responses.models import ActionPlanItem
from ims.responses.services import add_action
from ims.training import services as training
from ims.training.catalogue import load_catalogue
from ims.training.models import TrainingModule, TrainingSession
from tests.clients import API, signed_in
from tests.factories import finding, publish_visit
from tests.test_factories import HEADER

FAR_PAST, FAR_FUTURE = date(1, 1, 1), date(9999, 12, 31)
pytestmark = pytest.mark.django_db


def in_years(years):
    today = timezone.localdate()
    return today.replace(year=today.year + years, day=min(today.day, 28))


@pytest.mark.parametrize(("first", "last"), [(FAR_PAST, FAR_PAST), (FAR_FUTURE, FAR_FUTURE), (date(1999, 12, 31),) * 2])
def test_a_visit_in_year_1_or_9999_is_not_planned(team, content, first, last):
    with pytest.raises(Invalid, match="The first visit day must be between"):
        plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=first, visit_end=last,
                        monitors=[team.monitor])  # fmt: skip
    assert not Assessment.objects.exists()


def test_a_visit_of_more_than_a_month_is_not_planned_and_one_of_a_month_is(team, content):
    start = date(2026, 3, 1)
    with pytest.raises(Invalid, match=r"A visit cannot last more than 31 days\."):
        plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=start,
                        visit_end=start + timedelta(days=31), monitors=[team.monitor])  # fmt: skip
    plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=start,
                    visit_end=start + timedelta(days=30), monitors=[team.monitor])  # fmt: skip


def test_the_api_answers_a_visit_in_9999_with_a_400(team, content):
    head = signed_in(team.head)
    answer = head.post(f"{API}/assessments/", {
        "factory": team.factory.ref, "checklist_version": content.code, "visit_start": "9999-12-30",
        "visit_end": "9999-12-31", "type": "assessment", "monitors": [team.monitor.email],
    }, format="json")  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert "The first visit day must be between" in answer.json()["message"]


@pytest.fixture
def trainer(make_user, programme):
    from ims.accounts.models import Role

    load_catalogue()
    return make_user("trainer@bounds.example", Role.TRAINER, programme)


def test_a_training_session_from_year_1_to_9999_is_not_planned(trainer):
    module = TrainingModule.objects.get(programme__code="seminars", order=1)
    plan = dict(module=module, venue="VBNK", languages=["km"], trainer=trainer, capacity=10)
    with pytest.raises(Invalid, match="The first day must be between"):
        training.plan_session(trainer, start_date=FAR_PAST, end_date=FAR_FUTURE, **plan)
    today = timezone.localdate()
    with pytest.raises(Invalid, match=r"A session cannot last more than 92 days\."):
        training.plan_session(trainer, start_date=today, end_date=today + timedelta(days=92), **plan)
    assert not TrainingSession.objects.exists()


def test_an_action_due_in_year_1_or_beyond_five_years_is_refused(team, content):
    visit = publish_visit(team, content, date(2026, 5, 4), ("OS.8.7",))
    wage = finding(visit, "OS.8.7")
    for due in (FAR_PAST, in_years(5) + timedelta(days=1)):
        with pytest.raises(Invalid, match="The due date must be between"):
            add_action(wage, team.manager, "Pay the arrears", "HR", due)
    add_action(wage, team.manager, "Pay the arrears", "HR", in_years(5) - timedelta(days=1))
    assert ActionPlanItem.objects.count() == 1


def test_an_advisory_date_in_year_9999_is_refused(team, programme_admin):
    from ims.advisory import services as advisory

    with pytest.raises(Invalid, match="must be between"):
        advisory.start_cycle(team.factory, programme_admin, start=FAR_FUTURE, advisor=programme_admin)
    assert not EngagementCycle.objects.exists()


def test_access_until_9999_is_a_form_error_on_the_page_and_a_400_in_the_api(client, team):
    client.force_login(team.manager)
    page = client.post(reverse("grants:grants"), {
        "factory": team.factory.ref, "buyer": team.buyer_org.pk, "expires_on": "9999-12-31",
    })  # fmt: skip
    assert page.status_code == 400 and "The expiry must be between" in page.text
    manager = signed_in(team.manager)
    api = manager.post(f"{API}/access-grants/", {"buyer": team.buyer_org.name, "expires_at": "9999-12-31T12:00:00Z"},
                       format="json")  # fmt: skip
    assert api.status_code == 400 and "The expiry must be between" in api.json()["message"]
    assert not AccessGrant.objects.exists()
    until = timezone.now() + datetime.timedelta(days=365)
    assert grant_access(team.factory, team.buyer_org, team.manager, expires_at=until).expires_at == until


@pytest.mark.parametrize(
    ("total", "workforce_date", "column", "message"),
    [
        ("1" + "0" * 30, "", "workers_total", "more workers than any factory has."),
        ("٣٠٠", "", "workers_total", "'٣٠٠' is not a whole number."),
        ("300", "9999-12-31", "workforce_date", "a head count is dated between 2000 and today."),
        ("300", "2026-13-01", "workforce_date", "use the form YYYY-MM-DD."),
    ],
)
def test_a_factories_csv_with_an_impossible_count_or_date_names_the_cell_and_stores_nothing(
    phnom_penh, total, workforce_date, column, message
):
    header = HEADER + ",workforce_date"
    row = f"F-200,Lotus Garment,រោងចក្រ ឈូក,莲花制衣,REG-1,Phnom Penh,,garment,CN,{total},100,,km,false,{workforce_date}"
    result = import_factories(f"{header}\n{row}\n", today=date(2026, 11, 1))
    assert [(error.line, error.column, error.message) for error in result.errors] == [(2, column, message)]
    assert not Factory.objects.exists() and not WorkforceSnapshot.objects.exists()
