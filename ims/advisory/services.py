"""Recording advisory work: every change checks who records it, validates, and leaves an audit event."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.advisory.models import (
    AdvisoryVisit,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    EngagementCycle,
    Gender,
    RoadmapItem,
)
from ims.audit.models import record
from ims.core.action_items import MAX_DUE_YEARS
from ims.core.dates import require_within, years_from_today
from ims.core.errors import Conflict, Invalid
from ims.factories.models import Factory


def _check_recorder(actor, factory):
    message = _("Only advisors and programme staff who oversee them record advisory work.")
    policy.require(actor, "advisory.record", factory, message=message)


def _text(value, what):
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise Invalid(_("%(what)s cannot be empty.") % {"what": what})
    return value


def _language(code):
    if code not in dict(settings.LANGUAGES):
        raise Invalid(_("'%(language)s' is not a language of this system.") % {"language": code})
    return code


def _required_date(value, what):
    if value is None:
        raise Invalid(_("%(what)s is required.") % {"what": what})
    require_within(value, what, latest=years_from_today(MAX_DUE_YEARS))
    return value


def _choice(value, choices, what):
    if value not in choices.values:
        raise Invalid(_("'%(value)s' is not a valid %(what)s.") % {"value": value, "what": what})
    return value


def _check_advisor(advisor):
    if not policy.may_ever(advisor, "advisory.be_advisor"):
        raise Invalid(_("%(name)s is not an advisor.") % {"name": advisor})


def _current(cycle):
    """The cycle as stored now, locked: its dates decide what may still be recorded in it."""
    return EngagementCycle.objects.select_for_update().select_related("factory").get(pk=cycle.pk)


@transaction.atomic
def start_cycle(factory: Factory, actor: User, *, start: datetime.date, advisor: User) -> EngagementCycle:
    _check_recorder(actor, factory)
    _required_date(start, _("The start date"))
    _check_advisor(advisor)
    if EngagementCycle.objects.select_for_update().filter(factory=factory, end__isnull=True).exists():
        raise Conflict(_("This factory already has an open engagement cycle: close it first."))
    latest_end = factory.engagement_cycles.order_by("-end").values_list("end", flat=True).first()
    if latest_end and start <= latest_end:
        raise Invalid(_("A new engagement cycle starts after the previous one ended (%(end)s).") % {"end": latest_end})
    cycle = EngagementCycle.objects.create(factory=factory, start=start, advisor=advisor)
    record(actor, "advisory.cycle_started", cycle, factory=factory, start=start.isoformat(), advisor=advisor.email)
    return cycle


@transaction.atomic
def close_cycle(cycle: EngagementCycle, actor: User, *, end: datetime.date) -> EngagementCycle:
    _check_recorder(actor, cycle.factory)
    cycle = _current(cycle)
    if not cycle.is_open:
        raise Conflict(_("This engagement cycle is already closed."))
    _required_date(end, _("The end date"))
    if end < cycle.start:
        raise Invalid(_("An engagement cannot end before it starts."))
    last_visit = cycle.visits.order_by("-date").values_list("date", flat=True).first()
    if last_visit and end < last_visit:
        raise Invalid(_("The cycle cannot end before its last visit (%(date)s).") % {"date": last_visit})
    cycle.end = end
    cycle.save(update_fields=["end"])
    record(actor, "advisory.cycle_closed", cycle, factory=cycle.factory, end=end.isoformat())
    return cycle


def _within(cycle, day, what):
    if day < cycle.start or (cycle.end and day > cycle.end):
        raise Invalid(_("%(what)s must fall within the engagement cycle.") % {"what": what})


@transaction.atomic
def record_visit(
    cycle: EngagementCycle, actor: User, *, date: datetime.date, advisor: User, notes: str, note_language: str
) -> AdvisoryVisit:
    _check_recorder(actor, cycle.factory)
    cycle = _current(cycle)
    _required_date(date, _("The visit date"))
    _check_advisor(advisor)
    _within(cycle, date, _("The visit date"))
    visit = AdvisoryVisit.objects.create(
        cycle=cycle, date=date, advisor=advisor, notes=_text(notes, _("The notes")),
        note_language=_language(note_language),
    )  # fmt: skip
    record(actor, "advisory.visit_recorded", visit, factory=cycle.factory, date=date.isoformat())
    return visit


@transaction.atomic
def form_committee(factory: Factory, actor: User, *, formed_on: datetime.date) -> Committee:
    """A factory has one active committee; forming a new one retires the previous one."""
    _check_recorder(actor, factory)
    _required_date(formed_on, _("The date the committee was formed"))
    previous = list(Committee.objects.select_for_update().filter(factory=factory, is_active=True))
    for committee in previous:
        if formed_on <= committee.formed_on:
            raise Invalid(
                _("A new committee is formed after the current one (%(date)s).") % {"date": committee.formed_on}
            )
        committee.is_active = False
        committee.save(update_fields=["is_active"])
        record(actor, "advisory.committee_retired", committee, factory=factory)
    committee = Committee.objects.create(factory=factory, formed_on=formed_on)
    record(actor, "advisory.committee_formed", committee, factory=factory, formed_on=formed_on.isoformat())
    return committee


@transaction.atomic
def add_member(
    committee: Committee, actor: User, *, name: str, role: str, gender: str, elected_on: datetime.date
) -> CommitteeMember:
    _check_recorder(actor, committee.factory)
    _required_date(elected_on, _("The election date"))
    member = CommitteeMember.objects.create(
        committee=committee,
        name=_text(name, _("The name")),
        role=_choice(role, CommitteeMember.Role, _("committee role")),
        gender=_choice(gender, Gender, _("gender")),
        elected_on=elected_on,
    )
    record(actor, "advisory.member_added", member, factory=committee.factory, role=role, gender=gender)
    return member


@transaction.atomic
def set_member_active(member: CommitteeMember, actor: User, *, is_active: bool) -> CommitteeMember:
    _check_recorder(actor, member.committee.factory)
    member = CommitteeMember.objects.select_for_update().select_related("committee__factory").get(pk=member.pk)
    if member.is_active == is_active:
        raise Conflict(_("Nothing to change: the member is already so."))
    member.is_active = is_active
    member.save(update_fields=["is_active"])
    record(actor, "advisory.member_changed", member, factory=member.committee.factory, is_active=is_active)
    return member


@transaction.atomic
def record_meeting(
    committee: Committee,
    actor: User,
    *,
    date: datetime.date,
    attendees: int,
    minutes_summary: str,
    decisions: str,
    language: str,
) -> CommitteeMeeting:
    _check_recorder(actor, committee.factory)
    _required_date(date, _("The meeting date"))
    if date < committee.formed_on:
        raise Invalid(_("The committee met after it was formed (%(date)s).") % {"date": committee.formed_on})
    if attendees is None or attendees < 1:
        raise Invalid(_("A meeting has at least one attendee."))
    meeting = CommitteeMeeting.objects.create(
        committee=committee, date=date, attendees=attendees,
        minutes_summary=_text(minutes_summary, _("The summary of the minutes")),
        decisions=(decisions or "").replace("\r\n", "\n").strip(), language=_language(language), recorded_by=actor,
    )  # fmt: skip
    record(actor, "advisory.meeting_recorded", meeting, factory=committee.factory, date=date.isoformat(),
           attendees=attendees)  # fmt: skip
    return meeting


@transaction.atomic
def add_roadmap_item(
    cycle: EngagementCycle, actor: User, *, title: str, language: str, owner: str, due: datetime.date
) -> RoadmapItem:
    _check_recorder(actor, cycle.factory)
    cycle = _current(cycle)
    if not cycle.is_open:
        raise Conflict(_("The roadmap of a closed engagement cycle no longer changes."))
    item = RoadmapItem.objects.create(
        cycle=cycle, title=_text(title, _("The title")), language=_language(language),
        owner=_text(owner, _("The responsible person")), due=_required_date(due, _("The due date")),
    )  # fmt: skip
    record(actor, "advisory.roadmap_added", item, factory=cycle.factory, due=due.isoformat())
    return item


@transaction.atomic
def set_roadmap_status(item: RoadmapItem, actor: User, *, status: str) -> RoadmapItem:
    _check_recorder(actor, item.cycle.factory)
    item = RoadmapItem.objects.select_for_update().select_related("cycle__factory").get(pk=item.pk)
    _choice(status, RoadmapItem.Status, _("status"))
    if item.status == status:
        raise Conflict(_("Nothing to change: the item already has this status."))
    previous, item.status = item.status, status
    item.save(update_fields=["status", "updated_at"])
    record(actor, "advisory.roadmap_status", item, factory=item.cycle.factory, status=status, previous=previous)
    return item
