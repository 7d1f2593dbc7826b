"""Applying findings sent by tablets and ODK forms: each submission once, conflicts kept rather than lost.

Every submission carries a client-generated UUID and the row_version of the finding it was based on.
- A UUID seen before with the same content is answered with the stored result: nothing is applied twice.
- A UUID seen before with other content is a conflict (a client bug or a tampered retry).
- A new UUID is applied through workflow.save_finding, whose optimistic lock refuses an edit based on an
  answer someone else has changed since: the submission is then kept as a SyncConflict for the monitor.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ims.assessments.models import Answer, Finding
from ims.assessments.workflow import save_finding
from ims.audit.models import record
from ims.capture.models import Source, SubmissionReceipt, SyncConflict
from ims.core.errors import Conflict, DomainError, Invalid


@dataclass
class Submission:
    client_uuid: uuid.UUID
    question: str
    answer: str
    note: str = ""
    note_language: str = "en"
    base_version: int | None = None

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
        if base_version is not None and (not isinstance(base_version, int) or base_version < 1):
            raise Invalid(_("base_version must be a positive whole number or null."))
        if data.get("answer") not in Answer.values:
            raise Invalid(_("'%(answer)s' is not an answer; use one of %(choices)s.")
                          % {"answer": data.get("answer"), "choices": ", ".join(Answer.values)})  # fmt: skip
        return cls(
            client_uuid=client_uuid,
            question=str(data.get("question") or ""),
            answer=data["answer"],
            note=str(data.get("note") or "").strip(),
            note_language=str(data.get("note_language") or default_language),
            base_version=base_version,
        )

    def content(self):
        return {"question": self.question, "answer": self.answer, "note": self.note,
                "note_language": self.note_language}  # fmt: skip

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


def finding_state(finding):
    if finding is None:
        return {}
    return {
        "answer": finding.answer,
        "note": finding.note,
        "note_language": finding.note_language,
        "row_version": finding.row_version,
        "updated_by": str(finding.updated_by),
        "updated_at": finding.updated_at.isoformat(),
    }


def _stored_finding(assessment, question_code):
    return (
        Finding.objects.filter(assessment=assessment, question__code=question_code).select_related("updated_by").first()
    )


def _record_conflict(assessment, submission, actor, message, source):
    finding = _stored_finding(assessment, submission.question)
    conflict = SyncConflict.objects.create(
        assessment=assessment,
        question_code=submission.question,
        finding=finding,
        client_uuid=submission.client_uuid,
        client_payload=submission.payload(),
        server_state={**finding_state(finding), "assessment_status": assessment.status},
        message=message,
        source=source,
        reported_by=actor,
    )
    record(actor, "capture.conflict", conflict, factory=assessment.factory, question=submission.question,
           client_uuid=str(submission.client_uuid))  # fmt: skip
    return conflict


def _replay(receipt, submission):
    finding = _stored_finding(receipt.assessment, receipt.question_code)
    if receipt.outcome == SubmissionReceipt.Outcome.CONFLICT and receipt.conflict and not receipt.conflict.resolved_at:
        return Result(submission, 409, "conflict", finding, receipt.conflict, receipt.conflict.message)
    return Result(submission, 200, "duplicate", finding, message=_("Already received; nothing changed."))


def apply_submission(assessment, submission, actor, source=Source.TABLET):
    """Apply one submission at most once; returns a Result (a DomainError only for the caller's own mistakes)."""
    digest = submission.content_sha256()
    receipt = SubmissionReceipt.objects.filter(client_uuid=submission.client_uuid).select_related("conflict").first()
    if receipt is not None:
        if receipt.assessment_id == assessment.pk and receipt.content_sha256 == digest:
            return _replay(receipt, submission)
        message = _("This identifier was already sent with different content; the server kept the first.")
        conflict = _record_conflict(assessment, submission, actor, message, source)
        return Result(submission, 409, "conflict", _stored_finding(assessment, submission.question), conflict, message)

    before = _stored_finding(assessment, submission.question)
    try:
        with transaction.atomic():
            finding = save_finding(
                assessment, question_code=submission.question, answer=submission.answer, actor=actor,
                note=submission.note, note_language=submission.note_language,
                expected_version=submission.base_version,
                client_uuid=None if before else submission.client_uuid,
            )  # fmt: skip
    except Conflict as error:
        conflict = _record_conflict(assessment, submission, actor, error.message, source)
        _receipt(assessment, submission, digest, None, SubmissionReceipt.Outcome.CONFLICT, actor, source, conflict)
        return Result(submission, 409, "conflict", conflict.finding, conflict, error.message)
    if before is None:
        outcome = SubmissionReceipt.Outcome.CREATED
    elif finding.row_version != before.row_version:
        outcome = SubmissionReceipt.Outcome.UPDATED
    else:
        outcome = SubmissionReceipt.Outcome.UNCHANGED
    _receipt(assessment, submission, digest, finding, outcome, actor, source)
    _resolve_superseded(assessment, submission.question, actor)
    return Result(submission, 201 if outcome == "created" else 200, outcome, finding)


def _receipt(assessment, submission, digest, finding, outcome, actor, source, conflict=None):
    SubmissionReceipt.objects.create(
        client_uuid=submission.client_uuid, assessment=assessment, question_code=submission.question,
        content_sha256=digest, finding=finding, outcome=outcome, conflict=conflict, received_by=actor, source=source,
    )  # fmt: skip


def _resolve_superseded(assessment, question_code, actor):
    """The monitor's newer submission went through: their open conflicts on this question are settled."""
    SyncConflict.objects.open().filter(assessment=assessment, question_code=question_code, reported_by=actor).update(
        resolution=SyncConflict.Resolution.KEPT_MINE, resolved_by=actor, resolved_at=timezone.now()
    )


def apply_batch(assessment, items, actor, default_language="en"):
    """Apply each item on its own: one bad or conflicting finding never blocks the others."""
    results = []
    for item in items:
        try:
            submission = Submission.from_json(item, default_language)
        except DomainError as error:
            results.append(Result(None, error.status, error.code, message=error.message, details={"item": item}))
            continue
        try:
            results.append(apply_submission(assessment, submission, actor))
        except DomainError as error:
            results.append(Result(submission, error.status, error.code, message=error.message, details=error.details))
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
