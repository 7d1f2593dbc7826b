"""Applying findings sent by tablets and ODK forms: each submission once, conflicts kept rather than lost.

Every submission carries a client-generated UUID and the row_version of the finding it was based on.
- A UUID seen before with the same content is answered with the stored result: nothing is applied twice.
- A UUID seen before with other content is a conflict (a client bug or a tampered retry).
- A new UUID is applied through workflow.save_findings, whose optimistic lock refuses an edit based on an
  answer someone else has changed since: the submission is then kept as a SyncConflict for the monitor.
A batch is applied in a bounded number of queries, not a few per submission: a tablet's sync of a whole
checklist costs the server about as much as one answer.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ims.assessments.models import Answer, Finding
from ims.assessments.workflow import FindingChange, save_findings
from ims.audit.models import event, record, record_all
from ims.capture.models import Source, SubmissionReceipt, SyncConflict
from ims.core.errors import Conflict, DomainError, Invalid
from ims.core.numbers import whole_number


@dataclass
class Submission:
    client_uuid: uuid.UUID
    question: str
    answer: str
    note: str = ""
    note_language: str = "en"
    base_version: int | None = None
    condition_not_met: bool | None = None  # None: not said (ODK, older tablets); see FindingChange

    @classmethod
    def from_json(cls, data, default_language="en"):
        """Validate one submission as a client sent it; raise Invalid naming what is wrong."""
        if not isinstance(data, dict):
            raise Invalid(_("Send each finding as a JSON object."))
        try:
            client_uuid = uuid.UUID(str(data.get("client_uuid") or ""))
        except ValueError:
            raise Invalid(_("Each finding needs a client_uuid that is a UUID.")) from None
        base_version = data.get("base_version")
        # A JSON integer a database column holds: not true, 1.5 or 10**30.
        if base_version is not None and (isinstance(base_version, str) or (whole_number(base_version) or 0) < 1):
            raise Invalid(_("base_version must be a positive whole number or null."))
        if data.get("answer") not in Answer.values:
            raise Invalid(_("'%(answer)s' is not an answer; use one of %(choices)s.")
                          % {"answer": data.get("answer"), "choices": ", ".join(Answer.values)})  # fmt: skip
        condition_not_met = data.get("condition_not_met")
        if condition_not_met is not None and not isinstance(condition_not_met, bool):
            raise Invalid(_("condition_not_met must be true or false."))
        return cls(
            client_uuid=client_uuid,
            question=str(data.get("question") or ""),
            answer=data["answer"],
            note=str(data.get("note") or "").strip(),
            note_language=str(data.get("note_language") or default_language),
            base_version=base_version,
            condition_not_met=condition_not_met,
        )

    def content(self):
        content = {"question": self.question, "answer": self.answer, "note": self.note,
                   "note_language": self.note_language}  # fmt: skip
        if self.condition_not_met:  # only when said, so receipts from before the field still match their replays
            content["condition_not_met"] = True
        return content

    def content_sha256(self):
        return hashlib.sha256(json.dumps(self.content(), sort_keys=True).encode()).hexdigest()

    def payload(self):
        return {**self.content(), "client_uuid": str(self.client_uuid), "base_version": self.base_version}


@dataclass
class Result:
    """What happened to one submission, with an HTTP status a client understands on its own."""

    submission: Submission
    status: int
    outcome: str
    finding: Finding | None = None
    conflict: SyncConflict | None = None
    message: str = ""
    details: dict = field(default_factory=dict)
    error: DomainError | None = None  # why it was refused, when it was the sender's mistake


def finding_state(finding):
    if finding is None:
        return {}
    return {
        "answer": finding.answer,
        "note": finding.note,
        "note_language": finding.note_language,
        "condition_not_met": finding.condition_not_met,
        "row_version": finding.row_version,
        "updated_by": str(finding.updated_by),
        "updated_at": finding.updated_at.isoformat(),
    }


def _stored_findings(assessment, question_codes):
    # The question's code alone: its texts in three languages are most of a question row.
    findings = Finding.objects.filter(assessment=assessment, question__code__in=question_codes)
    findings = findings.select_related("updated_by").annotate(code=F("question__code"))
    return {finding.code: finding for finding in findings}


def _replay(receipt, submission, finding):
    if receipt.outcome == SubmissionReceipt.Outcome.CONFLICT and receipt.conflict and not receipt.conflict.resolved_at:
        return Result(submission, 409, "conflict", finding, receipt.conflict, receipt.conflict.message)
    return Result(submission, 200, "duplicate", finding, message=_("Already received; nothing changed."))


def apply_submission(assessment, submission, actor, source=Source.TABLET):
    """Apply one submission at most once; returns a Result, or raises the DomainError of the caller's own mistake."""
    (result,) = apply_submissions(assessment, [submission], actor, source)
    if result.error is not None:
        raise result.error
    return result


def apply_submissions(assessment, submissions, actor, source=Source.TABLET):
    """Apply submissions, each at most once, in order; one Result each (a refused one carries its error).

    The queries grow with rounds, not submissions: a round takes each question and identifier once, so a
    tablet's batch (one submission per question) is one round, whatever its size.
    """
    results = [None] * len(submissions)
    pending = list(enumerate(submissions))
    while pending:
        this_round, later, questions, identifiers = [], [], set(), set()
        for index, submission in pending:
            if submission.question in questions or submission.client_uuid in identifiers:
                later.append((index, submission))  # after the first one has been applied
                continue
            questions.add(submission.question)
            identifiers.add(submission.client_uuid)
            this_round.append((index, submission))
        for index, result in _apply_round(assessment, this_round, actor, source):
            results[index] = result
        pending = later
    return results


@transaction.atomic
def _apply_round(assessment, items, actor, source):
    identifiers = [submission.client_uuid for _index, submission in items]
    receipts = SubmissionReceipt.objects.filter(client_uuid__in=identifiers)
    receipts = {receipt.client_uuid: receipt for receipt in receipts.select_related("conflict")}
    replays, fresh, refused = [], [], []
    for index, submission in items:
        receipt = receipts.get(submission.client_uuid)
        if receipt is None:
            fresh.append((index, submission))
        elif receipt.assessment_id == assessment.pk and receipt.content_sha256 == submission.content_sha256():
            replays.append((index, submission, receipt))
        else:
            message = _("This identifier was already sent with different content; the server kept the first.")
            refused.append((index, submission, message, False))
    changes = [
        FindingChange(submission.question, submission.answer, submission.note, submission.note_language,
                      submission.base_version, submission.client_uuid, submission.condition_not_met)
        for _index, submission in fresh
    ]  # fmt: skip
    results, new_receipts = [], []
    for (index, submission), outcome in zip(fresh, save_findings(assessment, changes, actor), strict=True):
        if isinstance(outcome, Conflict):
            refused.append((index, submission, outcome.message, True))
        elif isinstance(outcome, DomainError):
            result = Result(submission, outcome.status, outcome.code, message=outcome.message,
                            details=outcome.details, error=outcome)  # fmt: skip
            results.append((index, result))
        else:
            new_receipts.append(_receipt(assessment, submission, outcome.finding, outcome.how, actor, source))
            status = 201 if outcome.how == SubmissionReceipt.Outcome.CREATED else 200
            results.append((index, Result(submission, status, outcome.how, outcome.finding)))
    went_through = [receipt.question_code for receipt in new_receipts]
    # What is stored, for replies that show it: only for replays and refusals (a fresh batch needs none).
    stored = (
        _stored_findings(assessment, [item[1].question for item in replays + refused]) if replays or refused else {}
    )
    results += [(index, _replay(receipt, submission, stored.get(submission.question)))
                for index, submission, receipt in replays]  # fmt: skip
    results += _record_conflicts(assessment, refused, stored, actor, source, new_receipts)
    SubmissionReceipt.objects.bulk_create(new_receipts)
    if went_through:
        # The monitor's newer submissions went through: their open conflicts on those questions are settled.
        SyncConflict.objects.open().filter(
            assessment=assessment, question_code__in=went_through, reported_by=actor
        ).update(resolution=SyncConflict.Resolution.KEPT_MINE, resolved_by=actor, resolved_at=timezone.now())
    return results


def _receipt(assessment, submission, finding, outcome, actor, source, conflict=None):
    return SubmissionReceipt(
        client_uuid=submission.client_uuid, assessment=assessment, question_code=submission.question,
        content_sha256=submission.content_sha256(), finding=finding, outcome=outcome, conflict=conflict,
        received_by=actor, source=source,
    )  # fmt: skip


def _conflict(assessment, submission, message, stored, actor, source):
    finding = stored.get(submission.question)
    server_state = {**finding_state(finding), "assessment_status": assessment.status}
    return SyncConflict(
        assessment=assessment, question_code=submission.question, finding=finding, client_uuid=submission.client_uuid,
        client_payload=submission.payload(), server_state=server_state, message=message, source=source,
        reported_by=actor,
    )  # fmt: skip


def _record_conflicts(assessment, refused, stored, actor, source, receipts):
    """Keep each refused submission as a conflict for the monitor; a stale edit also gets its receipt."""
    if not refused:
        return []
    conflicts = SyncConflict.objects.bulk_create(
        [
            _conflict(assessment, submission, message, stored, actor, source)
            for _index, submission, message, _ in refused
        ]
    )
    record_all(
        [
            event(actor, "capture.conflict", conflict, factory=assessment.factory, question=conflict.question_code,
                  client_uuid=str(conflict.client_uuid))
            for conflict in conflicts
        ]
    )  # fmt: skip
    results = []
    for (index, submission, message, stale), conflict in zip(refused, conflicts, strict=True):
        if stale:
            receipts.append(_receipt(assessment, submission, None, SubmissionReceipt.Outcome.CONFLICT, actor, source,
                                     conflict))  # fmt: skip
        results.append((index, Result(submission, 409, "conflict", conflict.finding, conflict, message)))
    return results


def apply_batch(assessment, items, actor, default_language="en"):
    """Apply each item on its own: one bad or conflicting finding never blocks the others."""
    results, submissions = [None] * len(items), []
    for index, item in enumerate(items):
        try:
            submissions.append((index, Submission.from_json(item, default_language)))
        except DomainError as error:
            results[index] = Result(None, error.status, error.code, message=error.message, details={"item": item})
    applied = apply_submissions(assessment, [submission for _index, submission in submissions], actor)
    for (index, _submission), result in zip(submissions, applied, strict=True):
        results[index] = result
    return results


@transaction.atomic
def keep_theirs(conflict, actor):
    """The monitor accepts the stored answer: the conflict is settled, their version stays on record."""
    conflict = SyncConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.resolved_at is not None:
        return conflict
    conflict.resolution = SyncConflict.Resolution.TOOK_THEIRS
    conflict.resolved_by = actor
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    record(actor, "capture.conflict_resolved", conflict, factory=conflict.assessment.factory,
           resolution=conflict.resolution)  # fmt: skip
    return conflict
