"""Translations of monitors' notes: entered by programme staff, shown beside the original and marked as
translations in the report (page and PDF), dropped when a correction changes the note."""

from datetime import date

import pytest
from django.urls import reverse

from ims.accounts.models import Role
from ims.assessments.workflow import transition
from ims.audit.models import AuditEvent
from ims.core.errors import Invalid, NotAllowed
from ims.reports.documents import document_context
from ims.reports.note_translations import translate_note
from ims.reports.rendering import render_document
from tests.clients import pdf_text, squeezed
from tests.factories import EXIT_NOTE, NOTED_NONCOMPLIANCES, publish_visit

EXIT_NOTE_IN_ENGLISH = "The emergency exit on the second floor was locked."


@pytest.fixture
def exits(team, content):
    visit = publish_visit(team, content, date(2026, 11, 2), NOTED_NONCOMPLIANCES)
    return visit.findings.get(question__code="OS.8.7")


@pytest.fixture
def translator(make_user, programme):
    return make_user("translator@team.example", Role.TRANSLATOR, programme)


def detailed_row(finding, language="en"):
    report = document_context(finding.assessment.current_revision(), "detailed", language)
    return next(row for row in report["noncompliances"] if row.finding_id == finding.pk)


def test_a_translation_shows_beside_the_original_in_the_page_and_the_pdf(exits, translator, team, client, media):
    client.force_login(translator)
    revision_url = reverse("reports:revision", args=[exits.assessment.ref, 1])
    assert f'action="{reverse("reports:translate_note", args=[exits.pk])}"' in client.get(revision_url).text
    response = client.post(reverse("reports:translate_note", args=[exits.pk]),
                           {"language": "en", "text": EXIT_NOTE_IN_ENGLISH})  # fmt: skip
    assert response.status_code == 302
    client.force_login(team.manager)
    page = client.get(revision_url).text
    assert EXIT_NOTE in page and EXIT_NOTE_IN_ENGLISH in page and "Translation into English" in page
    assert "Translate the note" not in page  # the factory reads translations, it does not write them
    assert AuditEvent.objects.filter(action="note_translated", object_id=str(exits.pk)).count() == 1
    text = squeezed(pdf_text(media / render_document(exits.assessment.current_revision(), "detailed", "en").file.name))
    assert squeezed(EXIT_NOTE_IN_ENGLISH) in text


def test_translating_again_replaces_the_translation(exits, translator):
    translate_note(exits, translator, "zh-hans", "二楼紧急出口被锁")
    translate_note(exits, translator, "zh-hans", "二楼的紧急出口被锁住")
    assert [t.text for t in detailed_row(exits).translations] == ["二楼的紧急出口被锁住"]


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("km", "ទ្វារ", "other than the note's own"),
        ("fr", "La sortie", "other than the note's own"),
        ("en", "   ", "empty"),
    ],
)
def test_bad_translations_are_refused_and_nothing_is_stored(exits, translator, language, text, message):
    with pytest.raises(Invalid, match=message):
        translate_note(exits, translator, language, text)
    assert not exits.note_translations.exists()


def test_only_programme_staff_translate(exits, team, client):
    with pytest.raises(NotAllowed):
        translate_note(exits, team.manager, "en", EXIT_NOTE_IN_ENGLISH)
    for outsider in (team.manager, team.buyer, team.other_manager):
        client.force_login(outsider)
        response = client.post(reverse("reports:translate_note", args=[exits.pk]),
                               {"language": "en", "text": EXIT_NOTE_IN_ENGLISH})  # fmt: skip
        assert response.status_code in (403, 404)
    assert not exits.note_translations.exists()


def test_a_corrected_note_drops_the_old_translation(exits, translator, team):
    translate_note(exits, translator, "en", EXIT_NOTE_IN_ENGLISH)
    assessment = exits.assessment
    transition(assessment, "reopen", team.head, comment="The note named the wrong floor")
    exits.refresh_from_db()
    exits.note = "ទ្វារចេញបន្ទាន់នៅជាន់ទី៣ ត្រូវបានចាក់សោ"
    exits.save()
    transition(assessment, "approve", team.head)
    exits.refresh_from_db()
    assert detailed_row(exits).translations == []
