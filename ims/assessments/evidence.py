"""Photos as evidence: checked, re-encoded and stripped of location and camera data."""

import hashlib
import io
import logging
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ims.assessments.models import Assessment, Evidence
from ims.assessments.snapshot import of_revision
from ims.assessments.workflow import can_edit_findings
from ims.core.errors import Conflict, Invalid, NotAllowed, StorageFailed
from ims.operations.storage import STORAGE_ERRORS
from ims.policy.states import IN_PUBLISHED_REVISION, IN_WORKING_COPY

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
LONGEST_SIDE = 2560


class TooManyPixels(Exception):
    """The image would take far more memory to decode than any photo needs."""


def reencode(data):
    """Return JPEG bytes of the image with no metadata, or raise Invalid if it is not a photo."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                image_format = probe.format
                pixels = probe.width * probe.height
                if pixels > settings.IMS_MAX_IMAGE_PIXELS:
                    raise TooManyPixels
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except TooManyPixels:
        megapixels = settings.IMS_MAX_IMAGE_PIXELS // 1_000_000
        raise Invalid(_("The image has more than %(megapixels)d megapixels.") % {"megapixels": megapixels}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise Invalid(_("The file is not a readable photo.")) from None
    if image_format not in ACCEPTED_FORMATS:
        raise Invalid(_("Photos must be JPEG, PNG or WebP images."))
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue()


@transaction.atomic
def attach_photo(finding, data, actor, client_uuid=None):
    assessment = Assessment.objects.get(pk=finding.assessment_id)  # the state as stored, not as cached
    if not can_edit_findings(assessment, actor, finding.question.compliance_point.cluster.code):
        raise NotAllowed(_("You cannot add evidence to this assessment now."))
    limit = settings.IMS_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise Invalid(_("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)})
    encoded = reencode(data)
    digest = hashlib.sha256(encoded).hexdigest()
    if client_uuid is not None:
        existing = Evidence.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.finding_id == finding.pk and existing.sha256 == digest:
                return existing
            raise Conflict(_("Another file was already sent under this identifier."))
    try:
        return Evidence.objects.create(
            finding=finding,
            file=ContentFile(encoded, name=f"{uuid.uuid4().hex}.jpg"),
            content_type="image/jpeg",
            size=len(encoded),
            sha256=digest,
            client_uuid=client_uuid,
            uploaded_by=actor,
        )
    except STORAGE_ERRORS as error:  # the storage writes atomically: no partial file is left behind
        logger.error("Evidence photo not stored: %s", error)
        raise StorageFailed(
            _("The photo could not be stored on the server; nothing was saved. Try again later.")
        ) from error


def evidence_state(evidence):
    """Whether a photo is part of its assessment's latest published revision, or of the working copy only.

    Revisions list their photos; revisions published before they did hold the photos uploaded by then.
    """
    revision = evidence.finding.assessment.revisions.order_by("-number").first()
    if revision is None:
        return IN_WORKING_COPY
    listed = published_evidence_ids(revision)
    published = evidence.uploaded_at <= revision.approved_at if listed is None else evidence.pk in listed
    return IN_PUBLISHED_REVISION if published else IN_WORKING_COPY


def published_evidence_ids(revision):
    """The ids of the photos a revision published, or None for a revision that did not list them."""
    findings = of_revision(revision)["findings"]
    if findings and "evidence" not in findings[0]:
        return None
    return {evidence_id for finding in findings for evidence_id in finding.get("evidence", ())}
