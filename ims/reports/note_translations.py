"""Translations of monitors' notes: entered by programme staff, printed beside the original."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ims import policy
from ims.assessments.models import Status
from ims.audit.models import record
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.reports.models import NoteTranslation

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def translate_note(finding, actor, language, text):
    """Add or replace the `language` translation of the finding's note; returns the NoteTranslation."""
    if not policy.allows(actor, "note.translate", finding.assessment, state=Status.APPROVED):
        raise NotAllowed(_("Only programme staff translate monitors' notes."))
    if finding.assessment.status == Status.CORRECTING:
        raise Conflict(_("This report is being corrected: translate its notes once the correction is published."))
    if not policy.allows(actor, "note.translate", finding.assessment):
        raise Invalid(_("Notes are translated once the report is published."))
    text = (text or "").replace("\r\n", "\n").strip()
    if not finding.note.strip():
        raise Invalid(_("This finding has no note to translate."))
    if language not in LANGUAGE_CODES or language == finding.note_language:
        raise Invalid(_("Choose a language other than the note's own."))
    if not text:
        raise Invalid(_("The translation is empty."))
    with transaction.atomic():
        translation, created = NoteTranslation.objects.update_or_create(
            finding=finding,
            language=language,
            defaults={"text": text, "source_text": finding.note, "translated_by": actor},
        )
        record(actor, "note_translated", finding, factory=finding.assessment.factory, language=language,
               replaced=not created)  # fmt: skip
    return translation


def current_translations(notes):
    """{finding id: [NoteTranslation]} of the notes a report shows ({finding id: note}), left out when
    the note has changed since it was translated."""
    found = {}
    for translation in NoteTranslation.objects.filter(finding_id__in=notes).select_related("translated_by"):
        if translation.source_text == notes.get(translation.finding_id):
            found.setdefault(translation.finding_id, []).append(translation)
    return found
