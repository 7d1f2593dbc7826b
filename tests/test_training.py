"""Training domain: catalogue, planning, enrolment within capacity, attendance, completion, plans, exports."""

import csv
import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation
from openpyxl import load_workbook

from ims.accounts.models import Role
from ims.audit.models import AuditEvent
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.factories.models import Factory
from ims.training import exports, services
from ims.training.catalogue import load_catalogue
from ims.training.models import Attendance, Enrolment, Participant, TrainingModule, TrainingProgramme, TrainingSession
from tests.factories import NOTED_NONCOMPLIANCES, publish_visit

M, W, U = Participant.Role.MANAGEMENT, Participant.Role.WORKER_REPRESENTATIVE, Participant.Role.UNION


def people(*specs):
    """("management", "female"), ... -> participant dicts with distinct names."""
    return [{"name": f"Person {n}", "position": "", "role": role, "gender": gender}
            for n, (role, gender) in enumerate(specs, start=1)]  # fmt: skip


def two():
    return people((M, "female"), (W, "male"))


@pytest.fixture
def catalogue(db):
    load_catalogue()


@pytest.fixture
def trainer(make_user, programme):
    return make_user("trainer@test.example", Role.TRAINER, programme)


@pytest.fixture
def other_trainer(make_user, programme):
    return make_user("trainer2@test.example", Role.TRAINER, programme)


@pytest.fixture
def plan(catalogue, trainer):
    """Plan a session of a programme's module; dates are days from today."""

    def make(programme="seminars", order=1, first=-2, last=-1, capacity=10, seats_per_factory=None, by=None):
        today = timezone.localdate()
        return services.plan_session(
            by or trainer, module=TrainingModule.objects.get(programme__code=programme, order=order),
            start_date=today + timedelta(days=first), end_date=today + timedelta(days=last), venue="VBNK Centre",
            languages=["km", "en"], trainer=trainer, capacity=capacity, seats_per_factory=seats_per_factory, fee=25,
        )  # fmt: skip

    return make


def test_catalogue_holds_the_seeded_programmes_in_three_languages(catalogue):
    codes = list(TrainingProgramme.objects.values_list("code", flat=True))
    assert codes == ["modular", "seminars", "supervisory-skills", "osh-leadership", "ir-leadership",
                     "female-leadership", "male-leadership"]  # fmt: skip
    modular = TrainingProgramme.objects.get(code="modular")
    assert [m.name_en for m in modular.modules.all()][:2] == ["The Global Context", "Workplace Cooperation"]
    assert modular.modules.count() == 7 and modular.requires_improvement_plan
    for programme in TrainingProgramme.objects.all():
        assert programme.name_km and programme.name_zh_hans and programme.description_km
        assert programme.translation_state("km") == "draft"
        assert all(module.name_km and module.name_zh_hans for module in programme.modules.all())
    assert load_catalogue() == 0, "loading again writes nothing"


def test_planning_checks_the_trainer_the_dates_and_who_plans(plan, team, trainer):
    session = plan()
    assert session.languages == ["en", "km"] and session.fee == Decimal("25") and len(session.days) == 2
    assert AuditEvent.objects.filter(action="training.session_planned", object_id=str(session.pk)).exists()
    with pytest.raises(NotAllowed):
        plan(by=team.monitor)
    with pytest.raises(Invalid):
        plan(first=3, last=1)
    module = TrainingModule.objects.get(programme__code="seminars", order=1)
    today = timezone.localdate()
    with pytest.raises(Invalid, match="not a trainer"):
        services.plan_session(trainer, module=module, start_date=today, end_date=today, venue="X",
                              languages=["km"], trainer=team.head, capacity=5)  # fmt: skip
    with pytest.raises(Invalid):
        services.plan_session(trainer, module=module, start_date=today, end_date=today, venue="X",
                              languages=["fr"], trainer=trainer, capacity=5)  # fmt: skip
    assert TrainingSession.objects.count() == 1


def test_enrolment_records_participants_by_role_and_gender(plan, team, trainer):
    session = plan()
    enrolment = services.enrol_factory(
        trainer, session, team.factory, people((M, "female"), (W, "female"), (U, "male"))
    )
    assert list(enrolment.participants.values_list("role", "gender")) == [(M, "female"), (W, "female"), (U, "male")]
    session.refresh_from_db()
    assert session.seats_taken == 3
    event = AuditEvent.objects.get(action="training.enrolled")
    assert event.factory == team.factory and event.details["participants"] == 3
    assert event.details["genders"] == {"female": 2, "male": 1}
    with pytest.raises(Conflict, match="already enrolled"):
        services.enrol_factory(trainer, session, team.factory, two())


@pytest.mark.parametrize(
    "participants, error",
    [([], "at least one"), ([{"name": " ", "role": M, "gender": "female"}], "no name"),
     ([{"name": "A", "role": "boss", "gender": "female"}], "role"),
     ([{"name": "A", "role": M, "gender": "x"}], "gender")],
)  # fmt: skip
def test_bad_participants_are_refused_and_change_nothing(plan, team, trainer, participants, error):
    session = plan()
    with pytest.raises(Invalid, match=error):
        services.enrol_factory(trainer, session, team.factory, participants)
    session.refresh_from_db()
    assert session.seats_taken == 0 and not Enrolment.objects.exists() and not AuditEvent.objects.filter(
        action="training.enrolled").exists()  # fmt: skip


def test_only_trainers_and_admins_enrol_and_only_active_factories(plan, team, trainer, programme_admin):
    session = plan()
    for outsider in (team.manager, team.monitor, team.head, team.buyer):
        with pytest.raises(NotAllowed):
            services.enrol_factory(outsider, session, team.factory, two())
    Factory.objects.filter(pk=team.other_factory.pk).update(status=Factory.Status.CLOSED)
    team.other_factory.refresh_from_db()
    with pytest.raises(Invalid):
        services.enrol_factory(programme_admin, session, team.other_factory, two())
    assert services.enrol_factory(programme_admin, session, team.factory, two()).pk


def test_capacity_and_seats_per_factory_are_enforced(plan, team, trainer, make_factory):
    session = plan(capacity=5, seats_per_factory=3)
    with pytest.raises(Invalid, match="at most 3"):
        services.enrol_factory(trainer, session, team.factory, people(*[(M, "male")] * 4))
    services.enrol_factory(trainer, session, team.factory, people(*[(M, "male")] * 3))
    with pytest.raises(Conflict, match="3 asked, 2 left"):
        services.enrol_factory(trainer, session, team.other_factory, people(*[(W, "female")] * 3))
    services.enrol_factory(trainer, session, team.other_factory, two())
    session.refresh_from_db()
    assert session.seats_taken == 5 == Participant.objects.filter(enrolment__session=session).count()
    with pytest.raises(Conflict):
        services.enrol_factory(trainer, session, make_factory("T-9"), people((U, "male")))


def test_a_stale_copy_of_the_session_cannot_overbook(plan, team, trainer):
    """The interleaving of a race, made deterministic: the seats are read, another enrolment takes them,
    then the first enrolment goes on with what it read. The conditional update refuses it."""
    session = plan(capacity=3)
    stale = TrainingSession.objects.get(pk=session.pk)
    assert stale.seats_left == 3
    services.enrol_factory(trainer, session, team.factory, people(*[(M, "male")] * 2))
    with pytest.raises(Conflict):
        services.enrol_factory(trainer, stale, team.other_factory, two())
    assert TrainingSession.objects.get(pk=session.pk).seats_taken == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one write transaction at a time (transaction_mode IMMEDIATE): enrolments cannot interleave "
    "there. test_a_stale_copy_of_the_session_cannot_overbook covers the interleaving on every database.",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_never_overbook(make_user, make_factory, programme):
    """Six factories ask for two seats each at the same moment, for six seats, each from its own connection:
    the six enrolment transactions are all open and wait for one another right before they touch the session's
    seats, then all go on at once."""
    load_catalogue()
    trainer = make_user("trainer@race.example", Role.TRAINER, programme)
    today = timezone.localdate()
    session = services.plan_session(
        trainer, module=TrainingModule.objects.get(programme__code="seminars", order=1), start_date=today,
        end_date=today, venue="VBNK", languages=["km"], trainer=trainer, capacity=6,
    )  # fmt: skip
    factories = [make_factory(f"RACE-{n}") for n in range(6)]
    barrier = threading.Barrier(len(factories), timeout=30)
    outcomes = []

    def attempt(factory):
        at_the_seats = []

        def meet_the_others_first(execute, sql, params, many, context):
            if not at_the_seats and '"training_trainingsession"' in sql:
                at_the_seats.append(sql)
                barrier.wait()
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(meet_the_others_first):
                services.enrol_factory(trainer, session, factory, two())
            outcomes.append("enrolled")
        except Conflict:
            outcomes.append("full")
        except Exception as error:  # reported in the assertion below, not lost in a thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(factory,)) for factory in factories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled"] * 3 + ["full"] * 3
    session.refresh_from_db()
    assert session.seats_taken == 6 == Participant.objects.filter(enrolment__session=session).count()
    assert Enrolment.objects.filter(session=session).count() == 3


def test_withdrawing_frees_the_seats(plan, team, trainer):
    session = plan(capacity=2)
    enrolment = services.enrol_factory(trainer, session, team.factory, two())
    with pytest.raises(Conflict):
        services.enrol_factory(trainer, session, team.other_factory, two())
    services.withdraw(trainer, enrolment)
    assert TrainingSession.objects.get(pk=session.pk).seats_taken == 0
    services.enrol_factory(trainer, session, team.other_factory, two())
    with pytest.raises(Conflict):
        services.withdraw(trainer, enrolment)
    assert AuditEvent.objects.filter(action="training.withdrawn", details__seats_returned=2).count() == 1


def test_attendance_is_recorded_per_day_by_the_sessions_trainer(plan, team, trainer, other_trainer, programme_admin):
    session = plan(first=-1, last=1)
    enrolment = services.enrol_factory(trainer, session, team.factory, two())
    first, second = enrolment.participants.all()
    yesterday, today, tomorrow = session.days
    services.record_attendance(trainer, session, yesterday, [first.pk])
    assert dict(Attendance.objects.filter(day=yesterday).values_list("participant_id", "present")) == {
        first.pk: True, second.pk: False}  # fmt: skip
    services.record_attendance(programme_admin, session, yesterday, [first.pk, second.pk])  # corrected
    assert Attendance.objects.filter(day=yesterday, present=True).count() == 2
    with pytest.raises(NotAllowed):
        services.record_attendance(other_trainer, session, today, [])
    with pytest.raises(NotAllowed):
        services.record_attendance(team.manager, session, today, [])
    with pytest.raises(Invalid, match="to come"):
        services.record_attendance(trainer, session, tomorrow, [first.pk])
    with pytest.raises(Invalid, match="not a day"):
        services.record_attendance(trainer, session, yesterday - timedelta(days=1), [first.pk])
    stranger = services.enrol_factory(trainer, plan(), team.other_factory, two()).participants.first()
    with pytest.raises(Invalid, match="not participants"):
        services.record_attendance(trainer, session, today, [first.pk, stranger.pk])
    assert not Attendance.objects.filter(day=today).exists()
    event = AuditEvent.objects.filter(action="training.attendance_recorded").first()
    assert event.factory == team.factory and event.details == {"day": yesterday.isoformat(), "present": 2, "absent": 0}


def attend(trainer, session, presence):
    """presence: {participant: set of day indexes present}."""
    for index, day in enumerate(session.days):
        services.record_attendance(trainer, session, day, [p.pk for p, days in presence.items() if index in days])


def test_completion_follows_the_attendance_threshold(plan, team, trainer):
    session = plan(programme="supervisory-skills", first=-4, last=-1)  # four days, 75% -> three days needed
    assert services.required_days(session) == 3
    enrolment = services.enrol_factory(trainer, session, team.factory, two())
    absent_too_often = services.enrol_factory(trainer, session, team.other_factory, two())
    a, b = enrolment.participants.all()
    c, d = absent_too_often.participants.all()
    with pytest.raises(Invalid, match="Record attendance first"):
        services.mark_completion(trainer, session)
    attend(trainer, session, {a: {0, 1, 2, 3}, b: {0, 2, 3}, c: {0, 1}, d: set()})
    services.mark_completion(trainer, session)
    assert [p.completed for p in Participant.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).order_by("pk")] == [
        True, True, False, False]  # fmt: skip
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.COMPLETED
    assert Enrolment.objects.get(pk=absent_too_often.pk).status == Enrolment.Status.NOT_COMPLETED
    events = AuditEvent.objects.filter(action="training.completion_marked")
    assert {e.factory_id: e.details["participants_completed"] for e in events} == {
        team.factory.pk: 2, team.other_factory.pk: 0}  # fmt: skip
    with pytest.raises(Conflict):
        services.mark_completion(trainer, session)
    with pytest.raises(Conflict):
        services.record_attendance(trainer, session, session.days[0], [])
    with pytest.raises(Conflict):
        services.enrol_factory(
            trainer,
            session,
            Factory.objects.create(ref="LATE", name_en="Late", sector="garment", province=team.factory.province),
            two(),
        )


def test_completion_needs_the_last_day_and_an_improvement_plan_where_required(plan, team, trainer):
    ongoing = plan(first=0, last=1)
    services.enrol_factory(trainer, ongoing, team.factory, two())
    with pytest.raises(Invalid, match="last day"):
        services.mark_completion(trainer, ongoing)

    session = plan(programme="seminars", first=-1, last=-1)  # seminars ask for an improvement plan
    with_plan = services.enrol_factory(trainer, session, team.factory, two())
    without_plan = services.enrol_factory(trainer, session, team.other_factory, two())
    attend(trainer, session, {p: {0} for p in Participant.objects.filter(enrolment__session=session)})
    services.add_plan_item(team.manager, with_plan, action="Gender committee", owner="HR manager",
                           due_date=session.end_date + timedelta(days=30))  # fmt: skip
    services.mark_completion(trainer, session)
    assert Enrolment.objects.get(pk=with_plan.pk).status == Enrolment.Status.COMPLETED
    assert Enrolment.objects.get(pk=without_plan.pk).status == Enrolment.Status.NOT_COMPLETED


def test_improvement_plan_items_are_edited_by_the_factory_and_trainers(plan, team, trainer):
    session = plan()
    enrolment = services.enrol_factory(trainer, session, team.factory, two())
    due = session.end_date + timedelta(days=30)
    item = services.add_plan_item(team.manager, enrolment, action="Unlock exits", owner="Mr Chan", due_date=due)
    services.add_plan_item(trainer, enrolment, action="Drill", owner="Ms Sok", due_date=due)
    for outsider in (team.other_manager, team.buyer, team.monitor):
        with pytest.raises(NotAllowed):
            services.add_plan_item(outsider, enrolment, action="x", owner="y", due_date=due)
        with pytest.raises(NotAllowed):
            services.set_item_status(outsider, item, "done")
    with pytest.raises(Invalid):
        services.add_plan_item(
            team.manager, enrolment, action="x", owner="y", due_date=session.start_date - timedelta(1)
        )
    with pytest.raises(Invalid):
        services.set_item_status(team.manager, item, "finished")
    services.set_item_status(team.manager, item, "in_progress")
    item.refresh_from_db()
    assert item.status == "in_progress" and item.plan.items.count() == 2
    assert AuditEvent.objects.filter(action="training.plan_item_status", details__status="in_progress").count() == 1


@pytest.fixture
def finished(plan, team, trainer):
    """A closed two-day seminar: the team factory with three people (one absent), the other factory with one."""
    session = plan(first=-10, last=-9)
    ours = services.enrol_factory(trainer, session, team.factory, people((M, "female"), (W, "female"), (U, "male")))
    theirs = services.enrol_factory(trainer, session, team.other_factory, people((M, "male")))
    a, b, c = ours.participants.all()
    attend(trainer, session, {a: {0, 1}, b: {0, 1}, c: set(), theirs.participants.get(): {0, 1}})
    services.add_plan_item(trainer, ours, action="Plan", owner="A", due_date=session.end_date)
    services.mark_completion(trainer, session)
    return session


def test_participation_for_report(finished, team, plan, trainer):
    upcoming = plan(programme="modular", first=5, last=6)
    services.enrol_factory(trainer, upcoming, team.factory, two())
    report = services.participation_for_report(team.factory, timezone.localdate())
    assert report["participants"] == {
        "management": {"female": 1, "male": 0},
        "worker_representative": {"female": 1, "male": 0},
        "union": {"female": 0, "male": 0},
    }
    assert report["participants_total"] == 2 and report["participants_completed"] == 2
    assert [s["programme"].code for s in report["sessions"]] == ["seminars"] and report["sessions_completed"] == 1
    assert report["sessions"][0]["module"].text_in("name", "km") == "ការយល់ដឹងអំពីយេនឌ័រ"
    seminars = report["sessions"][0]["programme"]
    assert report["programmes"] == [{"programme": seminars, "modules": 2, "modules_completed": 1, "completed": False}]
    before = services.participation_for_report(team.factory, finished.start_date)
    assert before["sessions"] == [] and before["participants_total"] == 0 and before["programmes"] == []


def test_participation_exports_are_scoped_and_open_in_excel(finished, team, programme_admin):
    rows = list(exports.participation_rows(programme_admin))
    assert len(rows) == 4
    ours = [row for row in rows if row["factory_ref"] == team.factory.ref]
    assert [(r["role"], r["gender"], r["days_present"], r["completed"]) for r in ours] == [
        ("management", "female", 2, "yes"),
        ("worker_representative", "female", 2, "yes"),
        ("union", "male", 0, "no"),
    ]
    assert {row["factory_ref"] for row in exports.participation_rows(team.manager)} == {team.factory.ref}
    assert list(exports.participation_rows(team.buyer)) == []
    parsed = list(csv.DictReader(io.StringIO(exports.as_csv(rows))))
    assert parsed[0].keys() == set(exports.COLUMNS) and parsed[0]["session_days"] == "2"
    workbook = load_workbook(io.BytesIO(exports.as_xlsx(rows)))
    values = list(workbook.active.values)
    assert values[0] == exports.COLUMNS and len(values) == 5
    assert values[1][exports.COLUMNS.index("factory_ref")] == rows[0]["factory_ref"]
    assert values[1][exports.COLUMNS.index("days_present")] == rows[0]["days_present"]


def test_demo_training_is_seeded_once(make_user, make_factory, programme):
    from ims.training import demo

    make_user("admin@ims.demo", Role.PROGRAMME_ADMIN, programme)
    make_user("trainer@ims.demo", Role.TRAINER, programme)
    for ref in demo.PEOPLE:
        make_factory(ref)
    output = io.StringIO()
    demo.seed(output)
    demo.seed(output)
    assert TrainingSession.objects.count() == 3 and TrainingSession.objects.filter(closed_at__isnull=False).count() == 2
    statuses = sorted(Enrolment.objects.filter(session__closed_at__isnull=False).values_list("status", flat=True))
    assert statuses == ["completed"] * 4 + ["not_completed"] * 2


def test_the_detailed_report_shows_the_training_attended_before_the_visit(finished, team, content):
    from ims.reports.documents import document_context, render_body

    before = publish_visit(team, content, finished.start_date - timedelta(days=30), NOTED_NONCOMPLIANCES)
    after = publish_visit(team, content, finished.end_date + timedelta(days=1), NOTED_NONCOMPLIANCES)
    module_km = finished.module.text_in("name", "km")

    def body(visit):
        with translation.override("km"):
            report = document_context(visit.current_revision(), "detailed", "km")
            return render_body("detailed", {"report": report})

    assert module_km in body(after)
    assert module_km not in body(before)
