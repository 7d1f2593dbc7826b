"""Training rules: planning, enrolment within capacity, attendance, completion and improvement plans.

Completion rules (applied when a session's trainer marks completion, after its last day):
- a participant completes the session when present on at least ``ceil(threshold% x session days)``
  days, the threshold being the programme's ``completion_threshold``;
- a factory's enrolment is completed when at least one of its participants completed and, for
  programmes where factories design an improvement plan, its plan has at least one item;
- a factory has completed a programme when it has a completed enrolment in a session of every module.

Attendance is kept per participant and session day, because sessions last one to four days (a
module may add a follow-up day) and completion depends on the days attended, not on showing up once.
"""

import datetime
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.audit.models import record
from ims.core.action_items import is_known_status, require_plausible_due_date
from ims.core.dates import require_span, require_within, years_from_today
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.core.numbers import record_id
from ims.factories.models import Factory
from ims.training.models import (
    Attendance,
    Enrolment,
    ImprovementItem,
    ImprovementPlan,
    Participant,
    TrainingModule,
    TrainingProgramme,
    TrainingSession,
)

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
MAX_SESSION_DAYS = 92


def _require(allowed, message):
    if not allowed:
        raise NotAllowed(message)


@transaction.atomic
def plan_session(
    actor: User,
    *,
    module: TrainingModule,
    start_date: datetime.date,
    end_date: datetime.date,
    venue: str,
    languages: list[str],
    trainer: User,
    capacity: int,
    fee: int = 0,
    seats_per_factory: int | None = None,
) -> TrainingSession:
    _require(policy.may_ever(actor, "training.manage"), _("Only trainers and programme administrators plan sessions."))
    if end_date < start_date:
        raise Invalid(_("The last day cannot be before the first."))
    require_within(start_date, _("The first day"), latest=years_from_today(3))
    require_span(start_date, end_date, _("A session"), longest_days=MAX_SESSION_DAYS)
    if not venue.strip():
        raise Invalid(_("Give the venue."))
    if not languages or not set(languages) <= LANGUAGE_CODES:
        raise Invalid(_("Choose the languages of the session among English, Khmer and Chinese."))
    if not policy.may_ever(trainer, "training.be_trainer"):
        raise Invalid(_("%(person)s is not a trainer.") % {"person": trainer})
    if capacity < 1:
        raise Invalid(_("A session needs at least one seat."))
    if seats_per_factory is not None and not 1 <= seats_per_factory <= capacity:
        raise Invalid(_("Seats per factory must be between 1 and the session's seats."))
    if fee < 0:
        raise Invalid(_("The fee cannot be negative."))
    session = TrainingSession.objects.create(
        module=module, start_date=start_date, end_date=end_date, venue=venue.strip(),
        languages=[code for code, _name in settings.LANGUAGES if code in languages], trainer=trainer,
        capacity=capacity, seats_per_factory=seats_per_factory, fee=fee, created_by=actor,
    )  # fmt: skip
    record(actor, "training.session_planned", session, programme=module.programme.code, module=module.order,
           start=start_date.isoformat(), end=end_date.isoformat(), capacity=capacity)  # fmt: skip
    return session


def _clean_participants(session, participants):
    if not participants:
        raise Invalid(_("Name at least one participant."))
    cleaned = []
    for number, person in enumerate(participants, start=1):
        name = (person.get("name") or "").strip()
        if not name:
            raise Invalid(_("Participant %(number)s has no name.") % {"number": number})
        if person.get("role") not in Participant.Role.values:
            raise Invalid(_("Participant %(number)s has no valid role.") % {"number": number})
        if person.get("gender") not in Participant.Gender.values:
            raise Invalid(_("Participant %(number)s has no valid gender.") % {"number": number})
        cleaned.append({"name": name, "position": (person.get("position") or "").strip(),
                        "role": person["role"], "gender": person["gender"]})  # fmt: skip
    if session.seats_per_factory is not None and len(cleaned) > session.seats_per_factory:
        raise Invalid(
            _("Each factory may send at most %(seats)s participants to this session.")
            % {"seats": session.seats_per_factory}
        )
    return cleaned


def _take_seats(session, seats):
    """Reserve seats in one conditional UPDATE: two enrolments racing for the last seats cannot both
    pass, on any database, because the check and the increment are the same statement."""
    taken = TrainingSession.objects.filter(pk=session.pk, closed_at__isnull=True,
                                           seats_taken__lte=F("capacity") - seats)  # fmt: skip
    if not taken.update(seats_taken=F("seats_taken") + seats):
        current = TrainingSession.objects.get(pk=session.pk)
        if current.is_closed:
            raise Conflict(_("Completion of this session has been marked; it takes no more enrolments."))
        raise Conflict(
            _("Not enough seats: %(asked)s asked, %(left)s left.") % {"asked": seats, "left": current.seats_left},
            seats_left=current.seats_left,
        )


@transaction.atomic
def enrol_factory(
    actor: User, session: TrainingSession, factory: Factory, participants: list[dict[str, str]]
) -> Enrolment:
    """Enrol a factory with its participants [{name, position, role, gender}], within the seats left."""
    _require(
        policy.may_ever(actor, "training.manage"), _("Only trainers and programme administrators enrol factories.")
    )
    if factory.status != Factory.Status.ACTIVE:
        raise Invalid(_("Only active factories can be enrolled."))
    people = _clean_participants(session, participants)
    if Enrolment.objects.filter(session=session, factory=factory).exclude(status=Enrolment.Status.WITHDRAWN).exists():
        raise Conflict(_("This factory is already enrolled in this session."))
    _take_seats(session, len(people))
    enrolment = Enrolment.objects.create(session=session, factory=factory, enrolled_by=actor)
    Participant.objects.bulk_create(Participant(enrolment=enrolment, **person) for person in people)
    roles = Counter(person["role"] for person in people)
    genders = Counter(person["gender"] for person in people)
    record(actor, "training.enrolled", enrolment, factory=factory, session=session.pk,
           participants=len(people), roles=dict(roles), genders=dict(genders))  # fmt: skip
    return enrolment


@transaction.atomic
def withdraw(actor: User, enrolment: Enrolment) -> Enrolment:
    """Cancel an enrolment before completion is marked; its seats return to the session."""
    _require(
        policy.may_ever(actor, "training.manage"), _("Only trainers and programme administrators withdraw enrolments.")
    )
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise Conflict(_("Only a current enrolment can be withdrawn."))
    if enrolment.session.is_closed:
        raise Conflict(_("Completion of this session has been marked; it takes no more changes."))
    seats = enrolment.participants.count()
    TrainingSession.objects.filter(pk=enrolment.session_id).update(seats_taken=F("seats_taken") - seats)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    record(actor, "training.withdrawn", enrolment, factory=enrolment.factory, session=enrolment.session_id,
           seats_returned=seats)  # fmt: skip
    return enrolment


def session_participants(session: TrainingSession) -> QuerySet[Participant]:
    return Participant.objects.filter(enrolment__session=session).exclude(enrolment__status=Enrolment.Status.WITHDRAWN)


@transaction.atomic
def record_attendance(actor: User, session: TrainingSession, day: datetime.date, present_ids: Iterable[int]) -> None:
    """Record who was there on one day: every participant of the session (of every factory) is marked
    present when listed in ``present_ids`` and absent otherwise, as on the trainer's sign-in sheet."""
    _require(policy.allows(actor, "training.run", session), _("Only the session's trainer records its attendance."))
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.is_closed:
        raise Conflict(_("Completion of this session has been marked; attendance can no longer change."))
    if day not in session.days:
        raise Invalid(_("%(day)s is not a day of this session.") % {"day": day.isoformat()})
    if day > timezone.localdate():
        raise Invalid(_("Attendance cannot be recorded for a day still to come."))
    participants = list(session_participants(session).select_related("enrolment__factory"))
    present_ids = {record_id(pk) for pk in present_ids}
    unknown = present_ids - {participant.pk for participant in participants}
    if unknown:
        raise Invalid(_("Some of the people marked present are not participants of this session."))
    by_enrolment: dict[Enrolment, Counter[str]] = {}
    for participant in participants:
        Attendance.objects.update_or_create(
            participant=participant, day=day,
            defaults={"present": participant.pk in present_ids, "recorded_by": actor},
        )  # fmt: skip
        counts = by_enrolment.setdefault(participant.enrolment, Counter())
        counts["present" if participant.pk in present_ids else "absent"] += 1
    for enrolment, counts in by_enrolment.items():
        record(actor, "training.attendance_recorded", enrolment, factory=enrolment.factory, day=day.isoformat(),
               present=counts["present"], absent=counts["absent"])  # fmt: skip


def required_days(session: TrainingSession) -> int:
    return math.ceil(session.programme.completion_threshold * len(session.days) / 100)


@transaction.atomic
def mark_completion(actor: User, session: TrainingSession) -> TrainingSession:
    """After the last day, with attendance recorded for every day, apply the completion rules once."""
    _require(policy.allows(actor, "training.run", session), _("Only the session's trainer marks its completion."))
    session = TrainingSession.objects.select_for_update().select_related("module__programme").get(pk=session.pk)
    if session.is_closed:
        raise Conflict(_("Completion of this session was already marked."))
    if timezone.localdate() < session.end_date:
        raise Invalid(_("Completion can be marked only from the session's last day."))
    participants = list(
        session_participants(session).annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
    )
    recorded = set(Attendance.objects.filter(participant__in=participants).values_list("day", flat=True))
    missing = [day.isoformat() for day in session.days if day not in recorded]
    if missing and participants:
        raise Invalid(_("Record attendance first for: %(days)s.") % {"days": ", ".join(missing)}, days=missing)
    needed = required_days(session)
    for participant in participants:
        participant.completed = participant.days_present >= needed
    Participant.objects.bulk_update(participants, ["completed"])
    enrolments = session.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("factory")
    for enrolment in enrolments:
        completed_people = sum(1 for participant in participants if participant.enrolment_id == enrolment.pk
                               and participant.completed)  # fmt: skip
        has_plan = ImprovementItem.objects.filter(plan__enrolment=enrolment).exists()
        done = completed_people > 0 and (has_plan or not session.programme.requires_improvement_plan)
        enrolment.status = Enrolment.Status.COMPLETED if done else Enrolment.Status.NOT_COMPLETED
        enrolment.save(update_fields=["status"])
        record(actor, "training.completion_marked", enrolment, factory=enrolment.factory, status=enrolment.status,
               participants_completed=completed_people, days_needed=needed, improvement_plan=has_plan)  # fmt: skip
    session.closed_at = timezone.now()
    session.closed_by = actor
    session.save(update_fields=["closed_at", "closed_by"])
    return session


@transaction.atomic
def add_plan_item(
    actor: User, enrolment: Enrolment, *, action: str, owner: str, due_date: datetime.date
) -> ImprovementItem:
    _require(
        policy.allows(actor, "training.plan_edit", enrolment.factory),
        _("Only the factory and its trainers edit this improvement plan."),
    )
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise Conflict(_("This enrolment was withdrawn."))
    if not action.strip() or not owner.strip():
        raise Invalid(_("Give the action and who at the factory carries it out."))
    if due_date < enrolment.session.start_date:
        raise Invalid(_("The due date cannot be before the training."))
    require_plausible_due_date(due_date)
    plan, _created = ImprovementPlan.objects.get_or_create(enrolment=enrolment, defaults={"created_by": actor})
    item = ImprovementItem.objects.create(plan=plan, action=action.strip(), owner=owner.strip(), due_date=due_date,
                                          updated_by=actor)  # fmt: skip
    record(actor, "training.plan_item_added", item, factory=enrolment.factory, enrolment=enrolment.pk,
           owner=item.owner, due_date=due_date.isoformat())  # fmt: skip
    return item


@transaction.atomic
def set_item_status(actor: User, item: ImprovementItem, status: str) -> ImprovementItem:
    item = ImprovementItem.objects.select_for_update().select_related("plan__enrolment__factory").get(pk=item.pk)
    enrolment = item.plan.enrolment
    _require(
        policy.allows(actor, "training.plan_edit", enrolment.factory),
        _("Only the factory and its trainers edit this improvement plan."),
    )
    if not is_known_status(status):
        raise Invalid(_("Unknown status."))
    if status == item.status:
        return item
    previous, item.status, item.updated_by = item.status, status, actor
    item.save(update_fields=["status", "updated_by", "updated_at"])
    record(actor, "training.plan_item_status", item, factory=enrolment.factory, previous=previous, status=status)
    return item


def programme_progress(factory: Factory, as_of: datetime.date | str | None = None) -> list[dict[str, Any]]:
    """Per programme the factory took part in: modules in the programme, modules it completed."""
    completed = Enrolment.objects.filter(factory=factory, status=Enrolment.Status.COMPLETED)
    if as_of is not None:
        completed = completed.filter(session__end_date__lte=as_of)
    completed_modules = set(completed.values_list("session__module_id", flat=True))
    taken = TrainingProgramme.objects.filter(
        modules__sessions__enrolments__factory=factory, modules__sessions__enrolments__status__in=[
            Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED, Enrolment.Status.NOT_COMPLETED]
    ).distinct()  # fmt: skip
    progress = []
    for programme in taken:
        module_ids = set(TrainingModule.objects.filter(programme=programme).values_list("pk", flat=True))
        done = len(module_ids & completed_modules)
        progress.append({"programme": programme, "modules": len(module_ids), "modules_completed": done,
                         "completed": done == len(module_ids)})  # fmt: skip
    return progress


def participation_for_report(factory: Factory, as_of: datetime.date | str) -> dict[str, Any]:
    """The factory's training up to ``as_of`` for its detailed report (programmes and modules as models,
    so the report shows their names with each language's translation status).

    Counts sessions that ended on or before ``as_of`` in which at least one participant of the factory
    was present on a day; participants are counted once per session they attended.
    """
    enrolments = (
        Enrolment.objects.filter(factory=factory, session__end_date__lte=as_of)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("session__module__programme")
        .order_by("session__start_date", "pk")
    )
    attended = list(
        Participant.objects.filter(enrolment__in=enrolments, attendance__present=True).distinct().values(
            "pk", "enrolment_id", "role", "gender", "completed")
    )  # fmt: skip
    attended_enrolments = {row["enrolment_id"] for row in attended}
    by_role = {role: {gender: 0 for gender in Participant.Gender.values} for role in Participant.Role.values}
    for row in attended:
        by_role[row["role"]][row["gender"]] += 1
    sessions = []
    for enrolment in enrolments:
        if enrolment.pk not in attended_enrolments:
            continue
        session = enrolment.session
        sessions.append({
            "programme": session.module.programme,
            "module": session.module,
            "start": session.start_date,
            "end": session.end_date,
            "participants": sum(1 for row in attended if row["enrolment_id"] == enrolment.pk),
            "completed": enrolment.status == Enrolment.Status.COMPLETED,
        })  # fmt: skip
    programmes = [
        entry
        for entry in programme_progress(factory, as_of)
        if entry["programme"] in {session["programme"] for session in sessions}
    ]
    return {
        "as_of": as_of,
        "programmes": programmes,
        "sessions": sessions,
        "participants": by_role,
        "participants_total": len(attended),
        "participants_completed": sum(1 for row in attended if row["completed"]),
        "sessions_completed": sum(1 for session in sessions if session["completed"]),
    }
