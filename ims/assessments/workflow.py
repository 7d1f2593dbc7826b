"""The assessment's life: planning, capture, review and publication.

Every change goes through these functions, which check who may do it and in which
state, record the step, and refuse anything else with a message the user can act on.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ims import policy
from ims.accounts.models import User
from ims.assessments.models import Answer, Assessment, AssessmentMonitor, Finding, Status, Transition
from ims.assessments.publishing import publish
from ims.audit.models import record
from ims.checklists.models import ChecklistVersion
from ims.core.dates import require_span, require_within, years_from_today
from ims.core.errors import Conflict, DomainError, Invalid, NotAllowed
from ims.factories.models import Factory
from ims.policy import states

EDITABLE_STATUSES = tuple(Status(state) for state in states.ASSESSMENT_STATES if state in states.EDITABLE)


@dataclass(frozen=True)
class Action:
    """A workflow step; who may take it and from which states is the policy's ("assessment.<step>")."""

    name: str
    target: str
    needs_comment: bool = False

    @property
    def policy_action(self) -> str:
        return f"assessment.{self.name}"

    @property
    def sources(self) -> frozenset[str]:
        return policy.states_allowing(self.policy_action)


ACTIONS = {
    action.name: action
    for action in (
        Action("start", Status.IN_PROGRESS),
        Action("submit", Status.SUBMITTED),
        Action("return", Status.RETURNED, needs_comment=True),
        Action("approve", Status.APPROVED),
        Action("reopen", Status.CORRECTING, needs_comment=True),
    )
}
REFUSALS = {
    "start": gettext_lazy("Only the monitors of this assessment can do this."),
    "submit": gettext_lazy("Only the monitors of this assessment can do this."),
    "return": gettext_lazy("Only the programme head can do this."),
    "approve": gettext_lazy("Only the programme head can do this."),
    "reopen": gettext_lazy("Only the programme head can do this."),
}


def is_on_team(assessment: Assessment, user: User) -> bool:
    return assessment.team.filter(user=user).exists()


def allowed_actions(assessment: Assessment, user: User) -> list[str]:
    """The workflow steps this user may take now, in the order of ACTIONS (for offering buttons)."""
    return [name for name, action in ACTIONS.items() if policy.allows(user, action.policy_action, assessment)]


MAX_VISIT_DAYS = 31


def _next_ref(factory, visit_start):
    base = f"{factory.ref}-{visit_start:%Y%m%d}"
    ref, number = base, 1
    while Assessment.objects.filter(ref=ref).exists():
        number += 1
        ref = f"{base}-{number}"
    return ref


def _replayed(earlier, factory, version, type, visit_start, visit_end, monitors):
    """The assessment a resent plan created the first time, if it is the same plan."""
    planned = (earlier.factory_id, earlier.checklist_version_id, earlier.type, earlier.visit_start, earlier.visit_end)
    asked = (factory.pk, version.pk, type, visit_start, visit_end)
    same_team = set(earlier.team.values_list("user_id", flat=True)) == {user.pk for user in monitors}
    if planned != asked or not same_team:
        raise Conflict(_("This client UUID was already used to plan another assessment."))
    return earlier


@transaction.atomic
def plan_assessment(
    *,
    factory: Factory,
    version: ChecklistVersion,
    actor: User,
    visit_start: datetime.date,
    visit_end: datetime.date,
    monitors: Iterable[User],
    type: str = Assessment.Type.ASSESSMENT,
    client_uuid: uuid.UUID | str | None = None,
) -> Assessment:
    policy.require(actor, "assessment.plan", message=_("Only programme staff can plan assessments."))
    if visit_end < visit_start:
        raise Invalid(_("The last visit day cannot be before the first."))
    require_within(visit_start, _("The first visit day"), latest=years_from_today(2))
    require_span(visit_start, visit_end, _("A visit"), longest_days=MAX_VISIT_DAYS)
    monitors = list(monitors)
    if not monitors:
        raise Invalid(_("Name at least one monitor."))
    not_monitors = [user for user in monitors if not policy.allows(user, "assessment.join_team")]
    if not_monitors:
        raise Invalid(
            _("%(names)s cannot be on the team: not a monitor.") % {"names": ", ".join(map(str, not_monitors))}
        )
    # One planning per factory at a time, so that the reference and the client UUID checked free here are
    # still free when taken.
    Factory.objects.lock(factory)
    if client_uuid is not None and (earlier := Assessment.objects.filter(client_uuid=client_uuid).first()):
        return _replayed(earlier, factory, version, type, visit_start, visit_end, monitors)
    version.freeze()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                ref=_next_ref(factory, visit_start),
                factory=factory,
                checklist_version=version,
                type=type,
                visit_start=visit_start,
                visit_end=visit_end,
                created_by=actor,
                client_uuid=client_uuid,
            )
    except IntegrityError:  # the same client UUID sent at once for another factory
        raise Conflict(_("This client UUID was already used to plan another assessment.")) from None
    for index, user in enumerate(monitors):
        AssessmentMonitor.objects.create(assessment=assessment, user=user, is_lead=index == 0)
    record(actor, "assessment.planned", assessment, factory=factory, ref=assessment.ref)
    return assessment


@transaction.atomic
def transition(
    assessment: Assessment,
    action_name: str,
    actor: User,
    comment: str = "",
    finding_comments: dict[str, str] | None = None,
) -> Assessment:
    """Move the assessment one step. finding_comments ({question code: text}) go with a return only."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise Invalid(_("Unknown action '%(action)s'.") % {"action": action_name})
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status not in action.sources:
        raise Conflict(
            _("An assessment that is %(status)s cannot be %(action)s.")
            % {"status": assessment.get_status_display().lower(), "action": ACTION_LABELS[action_name]},
            status=assessment.status,
        )
    policy.require(actor, action.policy_action, assessment, message=str(REFUSALS[action_name]))
    comment = (comment or "").strip()
    if action.needs_comment and not comment:
        raise Invalid(_("Say why: a comment is required."))
    if action_name == "submit":
        _check_complete(assessment)

    previous = assessment.status
    reason = ""
    if action_name == "approve" and previous == Status.CORRECTING:
        reopened = assessment.transitions.filter(action="reopen").last()
        reason = reopened.comment if reopened else ""
    assessment.status = action.target
    assessment.row_version = F("row_version") + 1
    assessment.save(update_fields=["status", "row_version", "updated_at"])
    assessment.refresh_from_db()
    on_findings, seen = {}, {}
    if action_name == "return":
        findings = assessment.findings.select_related("question").order_by()
        seen = {finding.question.code: [finding.answer, finding.note] for finding in findings}
        on_findings = {code: text.strip() for code, text in (finding_comments or {}).items() if text.strip()}
        unknown = sorted(set(on_findings) - set(seen))
        if unknown:
            raise Invalid(_("No finding %(codes)s to comment on.") % {"codes": ", ".join(unknown)})
    Transition.objects.create(
        assessment=assessment, action=action_name, from_status=previous, to_status=action.target, actor=actor,
        comment=comment, finding_comments=on_findings, findings_seen=seen,
    )  # fmt: skip
    details = {"finding_comments": on_findings} if on_findings else {}
    record(actor, f"assessment.{action_name}", assessment, factory=assessment.factory, comment=comment,
           from_status=previous, to_status=action.target, **details)  # fmt: skip
    if action_name == "approve":
        publish(assessment, actor, reason=reason)
    return assessment


def head_comment(assessment: Assessment) -> Transition | None:
    """The head's latest word that the monitors must act on: why it was returned or reopened."""
    action = {Status.RETURNED.value: "return", Status.CORRECTING.value: "reopen"}.get(assessment.status)
    if action is None:
        return None
    return assessment.transitions.filter(action=action).select_related("actor").last()


ACTION_LABELS = {
    "start": gettext_lazy("started"),
    "submit": gettext_lazy("submitted"),
    "return": gettext_lazy("returned"),
    "approve": gettext_lazy("approved"),
    "reopen": gettext_lazy("reopened for correction"),
}


def _check_complete(assessment):
    asked = assessment.checklist_version.questions.count()
    answered = assessment.findings.count()
    if answered < asked:
        raise Invalid(
            _("%(missing)d of %(asked)d questions have no answer yet; mark them not assessed or not applicable if so.")
            % {"missing": asked - answered, "asked": asked},
            missing=asked - answered,
        )


class EditRights:
    """Who may edit an assessment's findings (the policy's "finding.edit"), asked once and then per cluster.

    check() refuses with 403 whoever may never edit them, 409 in a state that forbids edits now, and 403
    a monitor given other clusters; two queries in all, however many clusters are asked about.
    """

    def __init__(self, assessment, actor):
        self.assessment = assessment
        self.states = policy.states_for(actor, "finding.edit", assessment)
        self.member = assessment.team.filter(user=actor).first()

    def check(self, cluster_code: str | None = None) -> None:
        if not self.states & set(EDITABLE_STATUSES):
            raise NotAllowed(_("You cannot edit findings of this assessment."))
        if self.assessment.status not in EDITABLE_STATUSES:
            raise Conflict(
                _("Findings cannot change while the assessment is %(status)s.")
                % {"status": self.assessment.get_status_display().lower()}
            )
        if self.assessment.status not in self.states or not self._covers(cluster_code):
            raise NotAllowed(_("You cannot edit findings of this assessment."))

    def _covers(self, cluster_code):
        member = self.member
        return member is None or not member.clusters or cluster_code is None or cluster_code in member.clusters


def require_editable(assessment: Assessment, actor: User, cluster_code: str | None = None) -> None:
    """Refuse an edit of the findings by this person now (see EditRights)."""
    EditRights(assessment, actor).check(cluster_code)


def can_edit_findings(assessment: Assessment, user: User, cluster_code: str | None = None) -> bool:
    """Whether require_editable would let this person edit now (to offer the fields or not)."""
    try:
        require_editable(assessment, user, cluster_code)
    except DomainError:
        return False
    return True


@dataclass(frozen=True)
class FindingChange:
    """One answer to store, as a card, a tablet or an API client sent it."""

    question_code: str
    answer: str
    note: str = ""
    note_language: str = "en"
    expected_version: object = None  # the row_version the editor started from
    client_uuid: uuid.UUID | str | None = None  # given to the finding if this change creates it
    # Not applicable because the question's applicability condition is not met. None: not said (a form, the API,
    # ODK), so a stored "condition not met" stays while the answer stays not applicable.
    condition_not_met: bool | None = None


@dataclass(frozen=True)
class Saved:
    """A change save_findings accepted: the finding as stored, and whether it was created, updated or unchanged."""

    finding: Finding
    how: str


@dataclass(frozen=True)
class _Question:
    pk: int
    code: str
    cluster: str
    condition: int | None


def save_finding(
    assessment: Assessment,
    *,
    question_code: str,
    answer: str,
    actor: User,
    note: str = "",
    note_language: str = "en",
    expected_version: int | None = None,
    client_uuid: uuid.UUID | str | None = None,
) -> Finding:
    """Create or change one finding; an edit based on an outdated version is refused, never lost.

    expected_version is the row_version the editor started from. Re-sending a finding
    that is already stored exactly as sent is accepted and changes nothing.
    """
    change = FindingChange(question_code, answer, note, note_language, expected_version, client_uuid)
    (outcome,) = save_findings(assessment, [change], actor)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome.finding


@transaction.atomic
def save_findings(assessment: Assessment, changes: Iterable[FindingChange], actor: User) -> list[Saved | DomainError]:
    """save_finding for many questions at once (each question at most once), each change on its own.

    Returns, in order, a Saved or the DomainError that refused each change. The queries do not grow with the
    number of changes (one per cluster for the edit rights, a handful for the rest), so a tablet sends a
    whole checklist in one request. Stored findings are locked while they are compared and changed.
    """
    changes = list(changes)
    codes = [change.question_code for change in changes]
    if len(set(codes)) != len(codes):
        raise ValueError("save_findings takes each question at most once")
    # Codes and clusters only, as plain values: question rows carry their texts in three languages.
    rows = assessment.checklist_version.questions.filter(code__in=codes)
    questions = {
        row[1]: _Question(*row)
        for row in rows.values_list("pk", "code", "compliance_point__cluster__code", "applies_if")
    }
    assessment = Assessment.objects.get(pk=assessment.pk)
    rights = _ChangeChecks(assessment, actor)
    outcomes: list[Saved | DomainError | None] = [None] * len(changes)
    accepted: list[tuple[int, FindingChange, Any, int | None]] = []  # question: checked not None
    for index, change in enumerate(changes):
        try:
            question = questions.get(change.question_code)
            accepted.append((index, change, question, rights.check(change, question)))
        except DomainError as error:
            outcomes[index] = error
    locked = Finding.objects.select_for_update(of=("self",)).select_related("updated_by")
    question_ids = [question.pk for _index, _change, question, _version in accepted]
    stored = {
        finding.question_id: finding for finding in locked.filter(assessment=assessment, question__in=question_ids)
    }
    now = timezone.now()
    created, changed = [], []
    for index, change, question, expected_version in accepted:
        finding = stored.get(question.pk)
        condition_not_met = change.condition_not_met
        if condition_not_met is None:
            condition_not_met = bool(finding and finding.condition_not_met and change.answer == Answer.NOT_APPLICABLE)
        values = {"answer": change.answer, "note": (change.note or "").strip(), "note_language": change.note_language,
                  "condition_not_met": condition_not_met}  # fmt: skip
        if finding is None:
            finding = Finding(assessment=assessment, question_id=question.pk, updated_by=actor,
                              client_uuid=change.client_uuid, **values)  # fmt: skip
            created.append((index, finding))
            outcomes[index] = Saved(finding, "created")
        elif all(getattr(finding, name) == value for name, value in values.items()):
            outcomes[index] = Saved(finding, "unchanged")
        elif expected_version != finding.row_version:
            outcomes[index] = _stale(finding)
        else:
            for name, value in values.items():
                setattr(finding, name, value)
            finding.updated_by, finding.updated_at, finding.row_version = actor, now, finding.row_version + 1
            changed.append(finding)
            outcomes[index] = Saved(finding, "updated")
    Finding.objects.bulk_update(
        changed, ["answer", "note", "note_language", "condition_not_met", "updated_by", "updated_at", "row_version"]
    )
    _create(created, outcomes)
    return cast(list[Saved | DomainError], outcomes)  # each change has its outcome by now


class _ChangeChecks:
    """save_finding's checks for one change, in its order; who may edit is asked once (EditRights)."""

    def __init__(self, assessment, actor):
        self.assessment = assessment
        self.rights = EditRights(assessment, actor)
        self.languages = dict(Finding._meta.get_field("note_language").choices)

    def check(self, change, question):
        """The expected row_version as a whole number (or None); raises the DomainError that refuses the change."""
        assessment = self.assessment
        if question is None:
            raise Invalid(
                _("Question %(code)s is not in checklist %(version)s.")
                % {"code": change.question_code, "version": assessment.checklist_version.code}
            )
        if change.answer not in Answer.values:
            raise Invalid(_("'%(answer)s' is not an answer; use one of %(choices)s.")
                          % {"answer": change.answer, "choices": ", ".join(Answer.values)})  # fmt: skip
        if change.note_language not in self.languages:
            raise Invalid(_("'%(language)s' is not a note language.") % {"language": change.note_language})
        if change.condition_not_met and change.answer != Answer.NOT_APPLICABLE:
            raise Invalid(_("Only a not applicable answer can say that the condition is not met."))
        if change.condition_not_met and question.condition is None:
            raise Invalid(
                _("Question %(code)s applies to every factory: it has no condition that could be unmet.")
                % {"code": change.question_code}
            )
        self.rights.check(question.cluster)
        if change.expected_version is None:
            return None
        try:
            return int(change.expected_version)
        except (TypeError, ValueError):
            raise Invalid(_("The row version must be a whole number.")) from None


def _stale(finding):
    return Conflict(
        _("This finding was changed by %(user)s since you opened it; reload it to see their answer.")
        % {"user": finding.updated_by},
        current={
            "answer": finding.answer,
            "note": finding.note,
            "note_language": finding.note_language,
            "condition_not_met": finding.condition_not_met,
            "updated_by": str(finding.updated_by),
            "row_version": finding.row_version,
        },
    )


def _create(created, outcomes):
    """Insert the new findings at once; if someone saved one of them at the same moment, each goes on its own."""
    if not created:
        return
    try:
        with transaction.atomic():
            Finding.objects.bulk_create([finding for _index, finding in created])
    except IntegrityError:
        for index, finding in created:
            try:
                with transaction.atomic():
                    finding.save(force_insert=True)
            except IntegrityError:
                outcomes[index] = Conflict(
                    _("Someone else saved this finding at the same moment; reload it and try again.")
                )
