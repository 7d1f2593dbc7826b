"""Remediation: verification at a later visit, overdue actions, and reminder emails through a real SMTP server."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from ims.assessments.models import Answer, Assessment
from ims.assessments.workflow import save_finding, transition
from ims.audit.models import AuditEvent
from ims.remediation.models import Reminder, Verification
from ims.remediation.reminders import send_factory_reminders
from ims.remediation.services import CaseState, overdue_items, tracker
from ims.remediation.tasks import verify_remediation
from ims.remediation.verification import verify_factory
from ims.responses.models import ActionPlanItem
from ims.responses.services import add_action, update_action
from tests.factories import finding, publish_visit

EXIT = "OS.8.7"  # emergency exits locked
WAGE = "CO.1.1"  # minimum wage


@pytest.fixture
def first_visit(team, content):
    return publish_visit(team, content, date(2026, 3, 2), (EXIT, WAGE))


@pytest.fixture
def plan(first_visit, team):
    """The factory's corrective actions for the first visit: one each, due in April 2026."""
    return {
        EXIT: add_action(finding(first_visit, EXIT), team.manager, "Remove the padlocks", "Mr Dara", date(2026, 4, 1)),
        WAGE: add_action(finding(first_visit, WAGE), team.manager, "Pay the arrears", "Ms Lina", date(2026, 4, 15)),
    }


# Verification at the next visit


@pytest.mark.django_db
def test_the_next_visit_verifies_each_noncompliance_as_remediated_or_persistent(team, content, first_visit, plan):
    assert verify_factory(team.factory) == 0  # nothing to verify against yet
    case_states = {case.question_code: case.state for case in tracker(team.factory, on=date(2026, 3, 20))}
    assert case_states == {EXIT: CaseState.IN_PROGRESS, WAGE: CaseState.IN_PROGRESS}

    second = publish_visit(team, content, date(2026, 9, 7), (WAGE,))
    assert verify_factory(team.factory) == 2

    exit_check = Verification.objects.get(finding=finding(first_visit, EXIT))
    wage_check = Verification.objects.get(finding=finding(first_visit, WAGE))
    assert (exit_check.outcome, exit_check.verified_at_visit) == ("remediated", second)
    assert (wage_check.outcome, wage_check.verified_at_visit) == ("persistent", second)
    # The second visit's own non-compliance waits for a third.
    assert not Verification.objects.filter(finding=finding(second, WAGE)).exists()

    cases = tracker(team.factory, on=date(2026, 10, 1))
    assert [(case.visit, case.question_code, case.state) for case in cases] == [
        (second, WAGE, CaseState.NO_ACTION),
        (first_visit, WAGE, CaseState.PERSISTENT),  # newest visit first, then in checklist order
        (first_visit, EXIT, CaseState.REMEDIATED),
    ]
    assert cases[2].actions == [plan[EXIT]]
    events = AuditEvent.objects.filter(action__startswith="remediation.").values_list("action", "details__visit")
    assert sorted(events) == [("remediation.persistent", second.ref), ("remediation.remediated", second.ref)]

    assert verify_factory(team.factory) == 2  # running again changes nothing
    assert AuditEvent.objects.filter(action__startswith="remediation.").count() == 2


@pytest.mark.django_db
def test_a_visit_that_did_not_assess_the_question_leaves_it_for_the_next(team, content, first_visit):
    publish_visit(team, content, date(2026, 6, 1), answers={EXIT: Answer.NOT_ASSESSED}, type=Assessment.Type.FOLLOW_UP)
    verify_factory(team.factory)
    assert not Verification.objects.filter(finding=finding(first_visit, EXIT)).exists()
    assert Verification.objects.get(finding=finding(first_visit, WAGE)).outcome == "remediated"

    third = publish_visit(team, content, date(2026, 12, 1), (EXIT,))
    verify_factory(team.factory)
    exit_check = Verification.objects.get(finding=finding(first_visit, EXIT))
    assert (exit_check.outcome, exit_check.verified_at_visit) == ("persistent", third)


@pytest.mark.django_db
def test_a_correction_of_the_later_report_changes_the_verification(team, content, first_visit):
    second = publish_visit(team, content, date(2026, 9, 7))
    verify_factory(team.factory)
    assert Verification.objects.get(finding=finding(first_visit, EXIT)).outcome == "remediated"

    transition(second, "reopen", team.head, comment="The exit on floor 2 was locked after all.")
    exit_finding = finding(second, EXIT)
    save_finding(second, question_code=EXIT, answer=Answer.NON_COMPLIANT, actor=team.head, note="Locked.",
                 expected_version=exit_finding.row_version)  # fmt: skip
    transition(second, "approve", team.head)
    verify_factory(team.factory)
    assert Verification.objects.get(finding=finding(first_visit, EXIT)).outcome == "persistent"
    assert AuditEvent.objects.filter(action="remediation.persistent", details__visit=second.ref).count() == 1


@pytest.mark.django_db
def test_publication_queues_the_verification_of_its_factory(
    team, content, first_visit, django_capture_on_commit_callbacks
):
    earlier = list(DBTaskResult.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_visit(team, content, date(2026, 9, 7))
    queued = DBTaskResult.objects.filter(task_path="ims.remediation.tasks.verify_remediation").exclude(pk__in=earlier)
    assert [row.args_kwargs["args"] for row in queued] == [[team.factory.pk]]
    assert verify_remediation.call(team.factory.pk) == 2
    assert Verification.objects.filter(verified_at_visit=second, outcome="remediated").count() == 2


# Overdue actions


@pytest.mark.django_db
def test_an_action_is_overdue_once_its_due_date_passed_until_done_or_verified_remediated(
    team, content, first_visit, plan
):
    exit_action, wage_action = plan[EXIT], plan[WAGE]
    assert list(overdue_items(on=date(2026, 4, 1))) == []  # due today is not yet overdue
    assert list(overdue_items(on=date(2026, 4, 2))) == [exit_action]
    assert list(overdue_items(on=date(2026, 5, 1))) == [exit_action, wage_action]

    update_action(wage_action, team.manager, wage_action.row_version, status=ActionPlanItem.Status.IN_PROGRESS)
    assert list(overdue_items(on=date(2026, 5, 1))) == [exit_action, wage_action]  # under way is still late
    wage_action.refresh_from_db()
    update_action(wage_action, team.manager, wage_action.row_version, status=ActionPlanItem.Status.DONE)
    assert list(overdue_items(on=date(2026, 5, 1))) == [exit_action]
    cases = {case.question_code: case for case in tracker(team.factory, on=date(2026, 5, 1))}
    assert cases[EXIT].state == CaseState.OVERDUE and cases[EXIT].actions[0].is_overdue
    assert cases[WAGE].state == CaseState.AWAITING_VERIFICATION and not cases[WAGE].actions[0].is_overdue

    # The next visit finds the exits open: the late action is settled by the verification.
    publish_visit(team, content, date(2026, 9, 7))
    verify_factory(team.factory)
    assert list(overdue_items(on=date(2026, 10, 1))) == []


@pytest.mark.django_db
def test_a_persistent_noncompliance_keeps_its_late_action_overdue(team, content, first_visit, plan):
    publish_visit(team, content, date(2026, 9, 7), (EXIT, WAGE))
    verify_factory(team.factory)
    assert list(overdue_items(on=date(2026, 10, 1))) == [plan[EXIT], plan[WAGE]]


# Reminder emails


def run_reminders(day):
    output = StringIO()
    call_command("send_remediation_reminders", f"--date={day.isoformat()}", stdout=output)
    return output.getvalue()


def in_language(language, text):
    with translation.override(language):
        return gettext(text)


@pytest.mark.django_db
def test_reminders_reach_each_contact_in_their_language_once_a_day(
    team, first_visit, plan, contacts, smtp_server, tasks_run_immediately, site_url
):
    day = date(2026, 4, 10)  # only the exits action is overdue (9 days)
    assert "Queued reminders for 1 factory(ies)" in run_reminders(day)

    assert sorted(address for received in smtp_server.received for address in received.recipients) == sorted(
        contact.email for contact in contacts.values() if contact.email
    )
    exit_question = finding(first_visit, EXIT).question
    wage_question = finding(first_visit, WAGE).question
    names = {"en": team.factory.name_en, "km": team.factory.name_km, "zh-hans": team.factory.name_zh}
    question_columns = {"en": "text_en", "km": "text_km", "zh-hans": "text_zh_hans"}
    for language, factory_name in names.items():
        (received,) = smtp_server.to(contacts[language].email)
        assert received.message["Content-Language"] == language
        subject = in_language(language, "Overdue corrective actions: %(factory)s") % {"factory": factory_name}
        assert received.subject == subject
        body = received.body
        assert f"{site_url}/{language}/remediation/factories/{team.factory.ref}/" in body
        assert f"{EXIT} {getattr(exit_question, question_columns[language])}" in body
        assert "Remove the padlocks" in body and "Mr Dara" in body
        with translation.override(language):
            assert formats.date_format(date(2026, 4, 1), "DATE_FORMAT") in body
        assert WAGE not in body and "Pay the arrears" not in body  # not yet due
        assert getattr(wage_question, question_columns[language]) not in body
    assert "Dear Sok Sophea" not in smtp_server.to(contacts["km"].email)[0].body  # greeted in Khmer
    assert in_language("km", "Dear %(name)s,") % {"name": "Sok Sophea"} in smtp_server.to(contacts["km"].email)[0].body

    reminders = Reminder.objects.filter(sent_on=day)
    assert sorted(reminders.values_list("contact__name", "status", "language")) == [
        ("Jane Smith", "sent", "en"), ("Sok Sophea", "sent", "km"), ("Wang Li", "sent", "zh-hans"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="remediation.reminder_sent").count() == 3

    run_reminders(day)  # the cron job runs twice on a day: nothing goes twice
    assert len(smtp_server.received) == 3
    assert reminders.count() == 3

    run_reminders(day + timedelta(days=6))  # a later day: both actions are overdue now
    later = smtp_server.to(contacts["en"].email)[-1]
    assert len(smtp_server.received) == 6
    assert "These 2 corrective actions" in later.body
    assert "Pay the arrears" in later.body and "Remove the padlocks" in later.body
    assert "Due on April 1, 2026: 15 days overdue." in later.body


@pytest.mark.django_db
def test_done_or_remediated_actions_are_not_reminded(team, content, first_visit, plan, contacts, smtp_server):
    """Both actions are overdue by May: the exits one is marked done (the exits are still locked at the next
    visit), the wage one is still planned but the next visit found the wages paid."""
    exits = plan[EXIT]
    update_action(exits, team.manager, exits.row_version, status=ActionPlanItem.Status.DONE)
    publish_visit(team, content, date(2026, 4, 20), (EXIT,))
    verify_factory(team.factory)
    assert ActionPlanItem.objects.get(pk=plan[WAGE].pk).status == ActionPlanItem.Status.PLANNED
    assert send_factory_reminders(team.factory.pk, date(2026, 5, 1)) == {
        "sent": 0, "failed": 0, "skipped": 0, "no_email": 0,
    }  # fmt: skip
    assert smtp_server.received == [] and not Reminder.objects.exists()


@pytest.mark.django_db
def test_an_smtp_outage_fails_the_reminders_and_a_later_run_the_same_day_sends_them(
    team, first_visit, plan, contacts, smtp_server, tasks_run_immediately
):
    day = date(2026, 5, 1)
    smtp_server.stop()
    assert send_factory_reminders(team.factory.pk, day) == {"sent": 0, "failed": 3, "skipped": 0, "no_email": 1}
    failed = Reminder.objects.filter(sent_on=day)
    assert set(failed.values_list("status", flat=True)) == {"failed"}
    assert all("Connection" in error or "refused" in error for error in failed.values_list("error", flat=True))

    smtp_server.start()
    run_reminders(day)
    assert set(failed.values_list("status", "attempts")) == {("sent", 2)}
    assert len(smtp_server.received) == 3


@pytest.mark.django_db
def test_a_reminder_being_sent_by_another_worker_is_not_sent_again(team, first_visit, plan, contacts, smtp_server):
    day = date(2026, 5, 1)
    Reminder.objects.create(item=plan[EXIT], contact=contacts["en"], sent_on=day, language="en")
    Reminder.objects.filter(contact=contacts["en"]).update(sending_since=timezone.now())
    send_factory_reminders(team.factory.pk, day)
    # The other worker holds the exits reminder: this one names only the wage action to Jane.
    (received,) = smtp_server.to(contacts["en"].email)
    assert "Pay the arrears" in received.body and "Remove the padlocks" not in received.body


@pytest.mark.django_db
def test_a_reminder_has_one_message_id_per_set_of_actions_it_names(team, first_visit, plan, contacts, smtp_server):
    day = date(2026, 5, 1)
    exits = Reminder.objects.create(item=plan[EXIT], contact=contacts["en"], sent_on=day, language="en")
    Reminder.objects.filter(pk=exits.pk).update(sending_since=timezone.now())  # held by another process
    send_factory_reminders(team.factory.pk, day)
    Reminder.objects.filter(pk=exits.pk).update(sending_since=None)  # which gave up before sending
    send_factory_reminders(team.factory.pk, day)
    wage_only, exits_only = smtp_server.to(contacts["en"].email)
    assert "Pay the arrears" in wage_only.body and "Remove the padlocks" not in wage_only.body
    assert "Remove the padlocks" in exits_only.body and "Pay the arrears" not in exits_only.body
    assert wage_only.message["Message-ID"] != exits_only.message["Message-ID"]  # different emails

    # The same email again (its sender died after the mail server took it): the same Message-ID.
    Reminder.objects.filter(pk=exits.pk).update(status=Reminder.Status.QUEUED)
    send_factory_reminders(team.factory.pk, day)
    assert smtp_server.to(contacts["en"].email)[-1].message["Message-ID"] == exits_only.message["Message-ID"]


@pytest.mark.django_db
def test_the_command_refuses_a_malformed_date(first_visit, plan):
    """Both actions are overdue today: a bad date read as today would queue their reminders."""
    queued_before = DBTaskResult.objects.count()  # publishing the visit queued its own tasks
    with pytest.raises(CommandError, match=r"^--date: "):
        call_command("send_remediation_reminders", "--date=2026-13-01", stdout=StringIO())
    assert DBTaskResult.objects.count() == queued_before
