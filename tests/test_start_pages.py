"""The start page after sign-in (issue 16): for each role, what needs the person now, counted, and the total in
the menu."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ims.accounts.models import Role
from ims.advisory import services as advisory
from ims.assessments.workflow import plan_assessment, transition
from ims.responses.grants import grant_access
from ims.responses.models import ActionPlanItem
from ims.responses.services import add_action, object_to_finding, rule_on_objection
from ims.training import services as training
from ims.training.catalogue import load_catalogue
from ims.training.models import TrainingModule
from tests.factories import PASSWORD, fill_findings, finding, publish

pytestmark = pytest.mark.usefixtures("pdfs_not_typeset")


def counts(page):
    """{label: count} as the start page shows them."""
    found = re.findall(r'<strong class="count" data-count="(\d+)">\d+</strong> ([^<]+)</a>', page.text)
    return {label.strip(): int(count) for count, label in found}


def menu_total(page):
    match = re.search(r"data-waiting>(\d+)<", page.text)
    return int(match.group(1)) if match else 0


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def work(team, content):
    """Assessments in each state the counts read, a published report with an objection ruled and one open,
    actions overdue, due soon and due later, and a buyer whose access ends soon."""
    today = timezone.localdate()

    def plan(day):
        return plan_assessment(factory=team.factory, version=content, actor=team.head, visit_start=date(2026, 1, day),
                               visit_end=date(2026, 1, day), monitors=[team.monitor, team.monitor2])  # fmt: skip

    plan(5)  # planned
    transition(plan(6), "start", team.monitor)  # in progress
    for day, step in ((7, "submit"), (8, "return")):
        draft = plan(day)
        transition(draft, "start", team.monitor)
        fill_findings(draft, team.monitor)
        transition(draft, "submit", team.monitor)
        if step == "return":
            transition(draft, "return", team.head, comment="Check again")
    grant_access(team.factory, team.buyer_org, team.manager, expires_at=timezone.now() + timedelta(days=10))
    report = publish(plan(9), team, noncompliant=["OS.8.7", "CL.1.1", "CO.2.1"])
    ruled = object_to_finding(finding(report, "OS.8.7"), team.manager, "Fixed already", "en")
    rule_on_objection(ruled, team.head, "upheld", "It was locked on the day.")
    object_to_finding(finding(report, "CL.1.1"), team.manager, "Not so", "en")
    for code, due in (("OS.8.7", today - timedelta(days=3)), ("CL.1.1", today + timedelta(days=10)),
                      ("CO.2.1", today + timedelta(days=40))):  # fmt: skip
        item = add_action(finding(report, code), team.manager, f"Fix {code}", "Mr Dara", today + timedelta(days=1))
        ActionPlanItem.objects.filter(pk=item.pk).update(due_date=due)
    return report


@pytest.mark.django_db
def test_the_heads_start_page_counts_reviews_objections_returned_drafts_and_overdue_follow_ups(work, team):
    page = signed_in(team.head).get("/en/accounts/start/")
    assert counts(page) == {
        "Drafts awaiting your review": 1,
        "Objections awaiting a ruling": 1,
        "Returned drafts waiting on monitors": 1,
        "Overdue follow-ups": 1,
    }
    assert menu_total(page) == 4


@pytest.mark.django_db
def test_a_monitors_start_page_counts_their_planned_in_progress_and_returned_assessments(work, team, make_user):
    page = signed_in(team.monitor2).get("/en/accounts/start/")
    assert counts(page) == {
        "Your planned assessments": 1,
        "Your assessments in progress": 1,
        "Your assessments returned with comments": 1,
    }
    assert menu_total(page) == 3


@pytest.mark.django_db
def test_the_factorys_start_page_counts_new_reports_actions_due_and_rulings(work, team):
    page = signed_in(team.manager).get("/en/accounts/start/")
    assert counts(page) == {
        "New reports": 1,
        "Actions due within two weeks or overdue": 2,
        "New rulings on your objections": 1,
        "Access requests from buyers waiting for your answer": 0,
    }
    assert counts(signed_in(team.other_manager).get("/en/accounts/start/")) == {
        "New reports": 0,
        "Actions due within two weeks or overdue": 0,
        "New rulings on your objections": 0,
        "Access requests from buyers waiting for your answer": 0,
    }


@pytest.mark.django_db
def test_the_buyers_start_page_counts_suppliers_with_new_reports_and_access_ending(work, team):
    page = signed_in(team.buyer).get("/en/accounts/start/")
    assert counts(page) == {"Suppliers with new reports": 1, "Access ending within 30 days": 1}
    assert counts(signed_in(team.other_buyer).get("/en/accounts/start/")) == {
        "Suppliers with new reports": 0,
        "Access ending within 30 days": 0,
    }


@pytest.mark.django_db
def test_sign_in_lands_on_the_start_page_in_the_chosen_language(team):
    client = Client()
    response = client.post("/km/accounts/login/", {"username": team.monitor.email, "password": PASSWORD})
    assert response["Location"] == "/km/accounts/start/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_trainers_and_advisors_start_pages_count_their_upcoming_sessions_and_visits(team, make_user, programme):
    load_catalogue()
    trainer = make_user("trainer@start.example", Role.TRAINER, programme)
    advisor = make_user("advisor@start.example", Role.ADVISOR, programme)
    today = timezone.localdate()
    module = TrainingModule.objects.get(programme__code="seminars", order=1)
    for start in (today - timedelta(days=20), today, today + timedelta(days=30)):  # one over, two to come
        training.plan_session(trainer, module=module, start_date=start, end_date=start + timedelta(days=1),
                              venue="VBNK", languages=["km"], trainer=trainer, capacity=10)  # fmt: skip
    cycle = advisory.start_cycle(team.factory, advisor, start=today - timedelta(days=60), advisor=advisor)
    for day in (today - timedelta(days=10), today + timedelta(days=7)):  # one done, one to come
        advisory.record_visit(cycle, advisor, date=day, advisor=advisor, notes="Committee", note_language="en")
    trainer_page = signed_in(trainer).get("/en/accounts/start/")
    assert counts(trainer_page) == {"Your upcoming sessions": 2}
    assert menu_total(trainer_page) == 2
    assert counts(signed_in(advisor).get("/en/accounts/start/")) == {"Your upcoming visits": 1}
