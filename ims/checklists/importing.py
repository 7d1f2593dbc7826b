"""A programme administrator brings in a new checklist version in two steps: the uploaded document (JSON in the
shared format, or an XLSForm workbook as ims.checklists.xlsform reads it) is checked and kept aside, as JSON under
its SHA-256, while the administrator reads what it changes; it is saved on confirmation.

Kept in the media storage (a file or the bucket), not the session: a full checklist is over a megabyte.
"""

import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from ims.checklists import xlsform
from ims.checklists.content import ContentError
from ims.checklists.exchange import VersionExists, difference, export_version, import_version, read_document
from ims.checklists.models import ChecklistVersion
from ims.core.errors import Invalid
from ims.core.input_checks import load_json

PENDING = "checklist-imports/{}.json"


class Refused(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


def _problems_of(error):
    if isinstance(error, VersionExists):
        return [_("Version %(code)s exists already: give the new version another code.") % {"code": error.args[0]}]
    return error.problems


def _document(data):
    """The document an upload holds: a JSON document in the shared format, or an XLSForm workbook."""
    if xlsform.is_workbook(data):
        try:
            return xlsform.read_workbook(data)
        except ContentError as error:
            raise Refused(error.problems) from error
    try:
        return load_json(data)  # as the API reads JSON: no NUL, nesting 100,000 deep or 1e400
    except Invalid as error:
        reason = error.details.get("json") or error.message
        raise Refused([_("The file is not JSON in UTF-8: %(error)s") % {"error": reason}]) from error


def check_upload(data):
    """(digest, checklist, difference against the newest stored version or None) for an uploaded document (JSON
    or XLSForm), kept aside as JSON for confirm(); raises Refused listing every problem."""
    document = _document(data)
    try:
        checklist = read_document(document)
        if ChecklistVersion.objects.filter(code=checklist.version).exists():
            raise VersionExists(checklist.version)
    except (ContentError, VersionExists) as error:
        raise Refused(_problems_of(error)) from error
    kept = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    digest = hashlib.sha256(kept).hexdigest()
    if not default_storage.exists(PENDING.format(digest)):
        default_storage.save(PENDING.format(digest), ContentFile(kept))
    previous = ChecklistVersion.objects.first()
    return digest, checklist, previous, difference(export_version(previous), document) if previous else None


def confirm(digest):
    """Save the document kept under this digest as a new version; raises Refused (nothing saved) or LookupError."""
    if len(digest) != 64 or not all(character in "0123456789abcdef" for character in digest):
        raise LookupError(digest)
    name = PENDING.format(digest)
    if not default_storage.exists(name):
        raise LookupError(digest)
    with default_storage.open(name, "rb") as stored:
        document = json.loads(stored.read().decode("utf-8-sig"))
    try:
        version = import_version(document)
    except (ContentError, VersionExists) as error:
        raise Refused(_problems_of(error)) from error
    default_storage.delete(name)
    return version
