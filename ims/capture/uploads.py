"""Resumable photo uploads: one photo per session, sent in pieces, stored only once whole and verified.

The tablet opens (or reopens) a session with the photo's client UUID, size and SHA-256, asks how many
bytes arrived, and sends the rest piece by piece, each piece saying where it starts. Only when the last
byte is in and the hash of the whole matches does the photo become Evidence (re-encoded, without
location data, by assessments.evidence) and the session complete.
"""

import hashlib
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.assessments.evidence import attach_photo
from ims.assessments.models import Finding
from ims.assessments.workflow import can_edit_findings, require_editable
from ims.audit.models import record
from ims.capture.models import UploadChunk, UploadSession
from ims.core.errors import Conflict, DomainError, Invalid, NotAllowed
from ims.policy import states

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# Each piece must fit in one request body below DATA_UPLOAD_MAX_MEMORY_SIZE.
MAX_CHUNK_BYTES = 1024 * 1024


def open_session(assessment, *, client_uuid, question_code, size, sha256, actor):
    """Create the session, or return the existing one for this UUID if it describes the same photo."""
    sha256 = str(sha256 or "").lower()
    if not SHA256_PATTERN.match(sha256):
        raise Invalid(_("Send the photo's SHA-256 as 64 hexadecimal characters."))
    if not isinstance(size, int) or size < 1:
        raise Invalid(_("Send the photo's size in bytes."))
    limit = settings.IMS_MAX_UPLOAD_BYTES
    if size > limit:
        raise Invalid(_("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)})
    finding = (
        Finding.objects.filter(assessment=assessment, question__code=question_code)
        .select_related("question__compliance_point__cluster")
        .first()
    )
    if finding is None:
        raise Invalid(_("Answer the question before adding a photo."))
    existing = UploadSession.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if (existing.finding_id, existing.expected_size, existing.expected_sha256) != (finding.pk, size, sha256):
            raise Conflict(_("Another file was already sent under this identifier."), received=existing.received)
        return existing, False
    if not can_edit_findings(assessment, actor, finding.question.compliance_point.cluster.code):
        raise NotAllowed(_("You cannot add evidence to this assessment now."))
    session = UploadSession.objects.create(
        client_uuid=client_uuid, assessment=assessment, finding=finding, expected_size=size, expected_sha256=sha256,
        created_by=actor,
    )  # fmt: skip
    return session, True


def receive_chunk(session, *, offset, data, actor):
    """Store one piece starting at offset; the last piece verifies the whole and stores the photo."""
    with transaction.atomic():
        session = (
            UploadSession.objects.select_for_update(of=("self",))
            .select_related("assessment", "finding__question__compliance_point__cluster")
            .get(pk=session.pk)
        )
        if not any(policy.allows(actor, "upload.continue", session, state=state) for state in states.EDITABLE):
            raise NotAllowed(_("Only the person who started this upload can continue it."))
        # A piece arrives only while the findings may change, from someone still allowed to change them.
        require_editable(session.assessment, actor, session.finding.question.compliance_point.cluster.code)
        if session.is_complete:
            return session
        if offset != session.received:
            raise Conflict(
                _("This piece starts at byte %(offset)d but %(received)d bytes have arrived; continue from there.")
                % {"offset": offset, "received": session.received},
                received=session.received,
            )
        if not data:
            raise Invalid(_("The piece is empty."))
        if len(data) > MAX_CHUNK_BYTES:
            raise Invalid(_("Send pieces of at most %(limit)d bytes.") % {"limit": MAX_CHUNK_BYTES})
        if session.received + len(data) > session.expected_size:
            raise Invalid(_("More bytes arrived than the photo's announced size."), received=session.received)
        UploadChunk.objects.create(session=session, offset=offset, data=data)
        session.received += len(data)
        session.save(update_fields=["received"])
    if session.received == session.expected_size:
        _complete(session, actor)
    return session


def _complete(session, actor):
    """Verify and store the whole photo; a damaged or unreadable one restarts the session from zero."""
    with transaction.atomic():
        whole = b"".join(bytes(chunk.data) for chunk in session.chunks.order_by("offset"))
        problem = None
        if hashlib.sha256(whole).hexdigest() != session.expected_sha256:
            problem = Invalid(_("The photo arrived damaged (its checksum does not match); send it again."), received=0)
        else:
            finding = Finding.objects.select_related("question__compliance_point__cluster", "assessment").get(
                pk=session.finding_id
            )
            try:
                with transaction.atomic():
                    session.evidence = attach_photo(finding, whole, actor, client_uuid=session.client_uuid)
            except DomainError as error:
                error.details["received"] = 0
                problem = error
        session.chunks.all().delete()
        if problem is None:
            session.completed_at = timezone.now()
            session.save(update_fields=["evidence", "completed_at"])
            record(actor, "capture.photo_uploaded", session.evidence, factory=session.assessment.factory,
                   question=finding.question.code, size=session.expected_size)  # fmt: skip
            return
        session.received = 0
        session.save(update_fields=["received"])
    # Raised after the reset is saved, so the client restarts from zero instead of hitting a stuck session.
    raise problem


def session_state(session):
    return {
        "client_uuid": str(session.client_uuid),
        "question": session.finding.question.code,
        "size": session.expected_size,
        "received": session.received,
        "complete": session.is_complete,
        "evidence": session.evidence_id,
    }
