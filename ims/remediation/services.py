"""Following each non-compliance from finding to corrective action to verification at a later visit.

The actions themselves are the factory's action plan (ims.responses: ActionPlanItem, ProgressNote);
this module reads them beside the published findings and the stored verifications.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment
from ims.assessments.snapshot import of_revision
from ims.checklists.models import Question
from ims.factories.models import Factory
from ims.remediation.models import Outcome, Reminder, Verification
from ims.remediation.verification import published_visits
from ims.responses.models import ActionPlanItem


def today() -> date:
    return timezone.localdate()


def overdue_items(on: date | None = None) -> QuerySet[ActionPlanItem]:
    """Corrective actions of published reports past their due date and not done, as of a day.

    An action whose non-compliance a later visit found remediated is no longer overdue: the visit
    verified the outcome the action was for."""
    on = on or today()
    return (
        ActionPlanItem.objects.overdue(on)
        .filter(finding__assessment__status__in=PUBLISHED_STATUSES)
        .exclude(finding__verification__outcome=Outcome.REMEDIATED)
    )


class CaseState:
    """Where one non-compliance stands; the label each state shows."""

    REMEDIATED = "remediated"
    PERSISTENT = "persistent"
    OVERDUE = "overdue"
    NO_ACTION = "no_action"
    AWAITING_VERIFICATION = "awaiting_verification"
    IN_PROGRESS = "in_progress"
    LABELS = {
        REMEDIATED: _("Remediated, verified at a later visit"),
        PERSISTENT: _("Persistent at a later visit"),
        OVERDUE: _("Corrective action overdue"),
        NO_ACTION: _("No corrective action posted"),
        AWAITING_VERIFICATION: _("Actions done, awaiting verification"),
        IN_PROGRESS: _("Corrective action planned or under way"),
    }


@dataclass
class Case:
    """One non-compliant finding of a published report and everything that followed it."""

    visit: Assessment
    revision_number: int
    finding_id: int
    question: Question | None
    question_code: str
    note: str
    note_language: str
    actions: list = field(default_factory=list)
    verification: Verification | None = None
    state: str = CaseState.NO_ACTION

    @property
    def state_label(self) -> str | Promise:
        return CaseState.LABELS[self.state]


def _state(actions, verification):
    if verification is not None:
        return verification.outcome
    if any(action.is_overdue for action in actions):
        return CaseState.OVERDUE
    if not actions:
        return CaseState.NO_ACTION
    if not any(action.is_open for action in actions):
        return CaseState.AWAITING_VERIFICATION
    return CaseState.IN_PROGRESS


def tracker(factory: Factory, on: date | None = None) -> list[Case]:
    """Every non-compliance of the factory's published reports, newest visit first, with its actions
    (each marked is_overdue, with last_reminder: the last day a reminder named it) and verification."""
    on = on or today()
    visits = published_visits(factory)
    findings = [
        (visit, finding)
        for visit in visits
        for finding in of_revision(visit.revision)["findings"]
        if finding["answer"] == Answer.NON_COMPLIANT
    ]
    finding_ids = [finding["finding_id"] for _visit, finding in findings]
    overdue = set(overdue_items(on).filter(finding_id__in=finding_ids).values_list("pk", flat=True))
    actions: dict[int, list[Any]] = {}  # the items, each marked is_overdue
    items: QuerySet[Any] = (  # each item is marked is_overdue below
        ActionPlanItem.objects.filter(finding_id__in=finding_ids)
        .annotate(last_reminder=Max("reminders__sent_on", filter=Q(reminders__status=Reminder.Status.SENT)))
        .prefetch_related(Prefetch("notes", to_attr="progress_notes"))
        .order_by("due_date", "pk")
    )
    for item in items:
        item.is_overdue = item.pk in overdue
        actions.setdefault(item.finding_id, []).append(item)
    verifications = {
        verification.finding_id: verification
        for verification in Verification.objects.filter(finding_id__in=finding_ids).select_related("verified_at_visit")
    }
    questions = {
        (question.version_id, question.code): question
        for question in Question.objects.filter(
            version_id__in={visit.assessment.checklist_version_id for visit in visits},
            code__in={finding["question"] for _visit, finding in findings},
        )
    }
    cases = []
    for visit, finding in findings:
        case_actions = actions.get(finding["finding_id"], [])
        verification = verifications.get(finding["finding_id"])
        cases.append(
            Case(
                visit=visit.assessment,
                revision_number=visit.revision.number,
                finding_id=finding["finding_id"],
                question=questions.get((visit.assessment.checklist_version_id, finding["question"])),
                question_code=finding["question"],
                note=finding["note"],
                note_language=finding["note_language"],
                actions=case_actions,
                verification=verification,
                state=_state(case_actions, verification),
            )
        )
    cases.sort(key=lambda case: (case.visit.visit_start, case.visit.pk), reverse=True)
    return cases


def overdue_list(factories: QuerySet[Factory], on: date | None = None) -> QuerySet[ActionPlanItem]:
    """The overdue actions of these factories, longest overdue first, with the day of their last reminder."""
    return (
        overdue_items(on)
        .filter(finding__assessment__factory__in=factories)
        .select_related("finding__assessment__factory", "finding__question", "finding__verification")
        .annotate(last_reminder=Max("reminders__sent_on", filter=Q(reminders__status=Reminder.Status.SENT)))
        .order_by("due_date", "pk")
    )


def overdue_by_factory(items: QuerySet[ActionPlanItem]) -> QuerySet:
    """How many of these overdue actions each factory has, most first."""
    return (
        items.order_by()
        .values("finding__assessment__factory__ref", "finding__assessment__factory__name_en")
        .annotate(actions=Count("pk"))
        .order_by("-actions", "finding__assessment__factory__ref")
    )


def with_days_overdue(items: Iterable[Any], on: date | None = None) -> Iterable[Any]:
    """The action items, each marked with its days_overdue."""
    on = on or today()
    for item in items:
        item.days_overdue = (on - item.due_date).days
    return items


def state_counts(cases: Iterable[Case]) -> list[tuple[str, str | Promise, int]]:
    counts = dict.fromkeys(CaseState.LABELS, 0)
    for case in cases:
        counts[case.state] += 1
    return [(state, CaseState.LABELS[state], count) for state, count in counts.items()]


def as_date(value: date | str) -> date:
    """A day given as YYYY-MM-DD (for commands and tasks, whose arguments are strings)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
