"""Submissions of the exported XLSForm (ODK Collect, KoboCollect, Enketo) imported as findings.

Accepted as the XForm instance XML, or as JSON in the shapes ODK Central and KoboToolbox export
(groups nested as objects, or flattened into "group/field" keys). The submission's instanceID makes
the import idempotent: each answer becomes a submission whose client UUID is derived from the
instanceID and the question, so the tablet's rules apply unchanged (identical re-import: nothing new;
changed content under the same instanceID: a recorded conflict).
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.db import transaction
from django.utils.translation import gettext as _

from ims.assessments.models import Answer
from ims.audit.models import record
from ims.capture.models import ExternalSubmission, Source
from ims.capture.sync import Submission, apply_submissions
from ims.capture.xlsform import LANGUAGE_FIELD, REF_FIELD, field_name, note_name
from ims.checklists.models import Question
from ims.core.errors import Conflict, Invalid
from ims.core.input_checks import load_json

# Fixed namespace: the same instanceID and question give the same UUID on every server.
ODK_NAMESPACE = uuid.UUID("5f0b6f0e-4d1c-4c2b-9a53-2a51c0a1d0e7")
NOTE_LANGUAGES = {"en", "km", "zh-hans"}


@dataclass
class ImportResult:
    instance_id: str
    status: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list | None = None
    replayed: bool = False


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def parse_xml(data):
    """{field name: text} of every leaf of an XForm instance.

    defusedxml reads the document in whatever encoding it declares (UTF-16 included) and refuses any
    document type declaration, so no entity is ever expanded.
    """
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise Invalid(_("The submission contains a document type declaration; send the plain instance XML.")) from None
    except (ParseError, LookupError, ValueError) as error:  # LookupError: an encoding Python does not know
        raise Invalid(_("The submission is not well-formed XML: %(error)s") % {"error": error}) from None
    fields = {}
    for element in root.iter():
        if len(element) == 0:
            fields[_local(element.tag)] = (element.text or "").strip()
    return fields


def _flatten(data, fields):
    for key, value in data.items():
        name = str(key).rsplit("/", 1)[-1]
        if isinstance(value, dict):
            _flatten(value, fields)
        elif not isinstance(value, list):
            fields[name] = "" if value is None else str(value).strip()
    return fields


def parse_json(data):
    """A list of {field name: text}, one per submission: one object, a list, or Kobo's {"results": [...]}."""
    parsed = load_json(data)
    if isinstance(parsed, dict) and isinstance(parsed.get("results"), list):
        parsed = parsed["results"]
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(item, dict) for item in items):
        raise Invalid(_("Send a submission as a JSON object, or a list of them."))
    return [_flatten(item, {}) for item in items]


MAX_INSTANCE_ID = ExternalSubmission._meta.get_field("instance_id").max_length


def instance_id(fields):
    """The submission's instanceID (ODK: meta/instanceID, Central: __id, Kobo: _uuid), without "uuid:"."""
    value = fields.get("instanceID") or fields.get("__id") or fields.get("_uuid") or ""
    value = value.removeprefix("uuid:").strip() if isinstance(value, str) else ""
    if not value:
        raise Invalid(_("The submission has no instanceID (meta/instanceID); it cannot be imported safely."))
    if len(value) > MAX_INSTANCE_ID:
        raise Invalid(
            _("The submission's instanceID is longer than %(max)d characters; it cannot be imported safely.")
            % {"max": MAX_INSTANCE_ID}
        )
    return value


def _submissions(assessment, fields, instance):
    """The findings in one submission, validated before anything is written; errors list every field."""
    ref = fields.get(REF_FIELD, "").strip()
    if ref and ref != assessment.ref:
        message = _("This submission is for assessment %(ref)s, not %(this)s.")
        raise Invalid(message % {"ref": ref, "this": assessment.ref})
    language = fields.get(LANGUAGE_FIELD) or "en"
    if language not in NOTE_LANGUAGES:
        raise Invalid(_("'%(language)s' is not a note language.") % {"language": language})
    submissions, errors = [], []
    codes = Question.objects.filter(version=assessment.checklist_version).values_list("code", flat=True)
    for code in codes:
        answer = fields.get(field_name(code), "")
        if not answer:
            continue
        if answer not in Answer.values:
            errors.append(
                _("%(field)s: '%(answer)s' is not an answer.") % {"field": field_name(code), "answer": answer}
            )
            continue
        submissions.append(
            Submission(
                client_uuid=uuid.uuid5(ODK_NAMESPACE, f"{instance}/{code}"),
                question=code,
                answer=answer,
                note=fields.get(note_name(code), ""),
                note_language=language,
            )
        )
    if errors:
        raise Invalid(_("The submission has answers this checklist does not know."), errors=errors)
    if not submissions:
        raise Invalid(_("The submission answers none of this checklist's questions; is it from another form?"))
    return submissions


def _digest(submissions):
    content = [item.content() for item in submissions]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def import_submission(assessment, fields, actor):
    """Import one parsed submission; a repeated identical one changes nothing."""
    instance = instance_id(fields)
    submissions = _submissions(assessment, fields, instance)
    digest = _digest(submissions)
    previous = ExternalSubmission.objects.filter(instance_id=instance).first()
    if previous is not None and previous.assessment_id != assessment.pk:
        raise Conflict(_("Submission %(id)s was already imported into another assessment.") % {"id": instance})
    if previous is not None and previous.content_sha256 == digest:
        return ImportResult(instance, 200, unchanged=len(submissions), conflicts=[], replayed=True)
    result = ImportResult(instance, 201 if previous is None else 200, conflicts=[])
    for outcome in apply_submissions(assessment, submissions, actor, source=Source.ODK):
        if outcome.error is not None:
            raise outcome.error  # all or nothing: the whole submission is rolled back
        if outcome.status == 409:
            result.conflicts.append(outcome)
        elif outcome.outcome in ("created", "updated"):
            setattr(result, outcome.outcome, getattr(result, outcome.outcome) + 1)
        else:
            result.unchanged += 1
    if result.conflicts:
        result.status = 409
    if previous is None:
        ExternalSubmission.objects.create(
            instance_id=instance, assessment=assessment, content_sha256=digest, findings=len(submissions),
            imported_by=actor,
        )  # fmt: skip
    record(actor, "capture.odk_imported", assessment, factory=assessment.factory, instance_id=instance,
           created=result.created, updated=result.updated, conflicts=len(result.conflicts))  # fmt: skip
    return result


def parse_submissions(data, content_type):
    """[{field: text}] from an XML or JSON body (by content type, else by its first character)."""
    looks_like_json = data.lstrip()[:1] in (b"{", b"[")
    if "json" in content_type or ("xml" not in content_type and looks_like_json):
        return parse_json(data)
    return [parse_xml(data)]
