"""Is this a genuine IMS report? Answered from a verification code or from the PDF file itself."""

import hashlib
import re
from dataclasses import dataclass

from ims.reports.models import IssuedPdf

CODE_LENGTH = 64


def normalise_code(text):
    """A code as typed or copied: any case, with or without the spaces printed between its groups.
    Anything else makes it no code at all (None)."""
    code = re.sub(r"[\s·:-]+", "", text).lower()
    return code if re.fullmatch(f"[0-9a-f]{{{CODE_LENGTH}}}", code) else None


@dataclass
class Verdict:
    issued: IssuedPdf

    @property
    def rendered(self):
        return self.issued.rendered

    @property
    def revision(self):
        return self.rendered.revision

    @property
    def is_current_revision(self):
        return self.revision == self.revision.assessment.current_revision()

    @property
    def is_latest_rendering(self):
        """False when the revision's document was rendered again since (updated responses or figures)."""
        return self.issued.sha256 == self.rendered.sha256


def _issued():
    return IssuedPdf.objects.select_related("rendered__revision__assessment__factory").order_by("-generated_at")


def verify_code(text):
    """The verdict for a typed verification code, or None when no IMS report carries it."""
    code = normalise_code(text)
    if code is None:
        return None
    issued = _issued().filter(verification_code=code).first()
    return Verdict(issued) if issued else None


def verify_file(uploaded):
    """The verdict for an uploaded PDF: only a byte-for-byte copy of a PDF IMS issued is genuine."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    issued = _issued().filter(sha256=digest.hexdigest()).first()
    return Verdict(issued) if issued else None
