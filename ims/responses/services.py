"""What a factory does with its published report: objections and corrective action plans."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.assessments.models import Answer, Assessment, Finding, Status
from ims.assessments.publishing import publish
from ims.audit.models import record
from ims.core.action_items import is_known_status, require_plausible_due_date
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.responses.models import ActionPlanItem, Objection, ProgressNote


def check_may_respond(finding: Finding, actor: User, action: str) -> None:
    """The policy decides; the state is read afresh from the database, and a refusal that only the
    state explains (a draft, a correction under way) is a conflict the factory can wait out."""
    assessment = Assessment.objects.get(pk=finding.assessment_id)
    if policy.allows(actor, action, assessment):
        return
    if not policy.allows(actor, action, assessment, state=Status.APPROVED):
        raise NotAllowed(_("Only the factory's own managers can respond to its report."))
    if assessment.status == Status.CORRECTING:
        raise Conflict(_("This report is being corrected: respond once the corrected revision is published."))
    raise Conflict(_("This report is not published."))


def _text(value, what):
    value = (value or "").strip()
    if not value:
        raise Invalid(_("%(what)s cannot be empty.") % {"what": what})
    return value


@transaction.atomic
def object_to_finding(finding: Finding, actor: User, text: str, language: str) -> Objection:
    check_may_respond(finding, actor, "objection.file")
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("'%(language)s' is not a language of this system.") % {"language": language})
    waiting = _("An objection to this finding is already waiting for a ruling.")
    if finding.objections.filter(status=Objection.Status.OPEN).exists():
        raise Conflict(waiting)
    try:
        with transaction.atomic():  # the database holds the rule when two managers object at once
            objection = Objection.objects.create(
                finding=finding,
                revision=finding.assessment.current_revision(),
                author=actor,
                text=_text(text, _("The objection")),
                language=language,
            )
    except IntegrityError:
        raise Conflict(waiting) from None
    record(actor, "objection.filed", objection, factory=finding.assessment.factory, question=finding.question.code)
    return objection


@transaction.atomic
def rule_on_objection(
    objection: Objection,
    actor: User,
    decision: str,
    ruling: str,
    answer: str | None = None,
    note: str | None = None,
) -> Objection:
    """Uphold the finding, or revise it: a revision publishes a new report revision."""
    objection = Objection.objects.select_for_update().select_related("finding__assessment").get(pk=objection.pk)
    assessment = objection.finding.assessment
    if not policy.allows(actor, "objection.rule", assessment, state=Status.APPROVED):
        raise NotAllowed(_("Only the programme head rules on objections."))
    if not policy.allows(actor, "objection.rule", assessment):
        raise Conflict(_("This report is being corrected: rule on the objection once the correction is approved."))
    if objection.status != Objection.Status.OPEN:
        raise Conflict(_("This objection has already been ruled on."))
    if decision not in (Objection.Status.UPHELD, Objection.Status.REVISED):
        raise Invalid(_("Decide to uphold or to revise the finding."))
    ruling = _text(ruling, _("The ruling"))
    finding = objection.finding
    if decision == Objection.Status.REVISED:
        changes = {}
        if answer is not None:
            if answer not in Answer.values:
                raise Invalid(_("'%(answer)s' is not an answer.") % {"answer": answer})
            changes["answer"] = answer
        if note is not None:
            changes["note"] = note.strip()
        if not changes or all(getattr(finding, name) == value for name, value in changes.items()):
            raise Invalid(_("A revision must change the finding's answer or note."))
        Finding.objects.filter(pk=finding.pk).update(
            **changes, updated_by=actor, updated_at=timezone.now(), row_version=F("row_version") + 1
        )
        # The ruling, in the head's own words, is the reason readers of every language see.
        publish(finding.assessment, actor, reason=ruling)
    objection.status = decision
    objection.ruling = ruling
    objection.ruled_by = actor
    objection.ruled_at = timezone.now()
    objection.save(update_fields=["status", "ruling", "ruled_by", "ruled_at"])
    record(actor, f"objection.{decision}", objection, factory=finding.assessment.factory, ruling=ruling)
    return objection


@transaction.atomic
def add_action(finding: Finding, actor: User, action: str, owner: str, due_date: datetime.date) -> ActionPlanItem:
    check_may_respond(finding, actor, "action.add")
    if finding.answer != Answer.NON_COMPLIANT:
        raise Invalid(_("Corrective actions are posted for non-compliant findings only."))
    if due_date is None:
        raise Invalid(_("A due date is required."))
    require_plausible_due_date(due_date)
    item = ActionPlanItem.objects.create(
        finding=finding, action=_text(action, _("The action")), owner=_text(owner, _("The responsible person")),
        due_date=due_date, created_by=actor,
    )  # fmt: skip
    record(actor, "plan.added", item, factory=finding.assessment.factory, question=finding.question.code)
    return item


@transaction.atomic
def update_action(
    item: ActionPlanItem,
    actor: User,
    expected_version: int | str | None,
    status: str | None = None,
    note: str | None = None,
) -> ActionPlanItem:
    """Change an action's status and/or add a progress note; an outdated edit is refused."""
    check_may_respond(item.finding, actor, "action.update")
    if status is not None and not is_known_status(status):
        raise Invalid(_("'%(status)s' is not a status.") % {"status": status})
    if expected_version is None or int(expected_version) != item.row_version:
        raise Conflict(_("This action was updated by someone else; reload it."))
    changes = {}
    if status is not None and status != item.status:
        changes["status"] = status
    note = (note or "").strip()
    if not changes and not note:
        raise Invalid(_("Nothing to update: change the status or write a progress note."))
    updated = ActionPlanItem.objects.filter(pk=item.pk, row_version=item.row_version).update(
        **changes, updated_at=timezone.now(), row_version=F("row_version") + 1
    )
    if not updated:
        raise Conflict(_("This action was updated by someone else; reload it."))
    if note:
        ProgressNote.objects.create(item=item, author=actor, text=note)
    item.refresh_from_db()
    record(actor, "plan.updated", item, factory=item.finding.assessment.factory, note=note, **changes)
    return item
