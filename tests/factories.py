"""Test data the test modules share: the content, a visit's answers, published visits, photos.

Fixtures live in tests/conftest.py; these are plain functions a test calls with what it already has.
"""

import io
from collections.abc import Mapping

from django.core.management import call_command
from PIL import Image

from ims.assessments.models import Answer, Assessment, Finding
from ims.assessments.workflow import plan_assessment, save_finding, transition
from ims.checklists.models import ChecklistVersion

PASSWORD = "a-long-test-password-42"

# A report's notes in the monitors' three languages: two publicly reported issues and one question that is not.
EXIT_NOTE = "ទ្វារចេញបន្ទាន់នៅជាន់ទី២ ត្រូវបានចាក់សោ"
OVERTIME_NOTE = "加班费没有按规定支付给包装车间的工人"
WAGE_NOTE = "Piece-rate workers in packing were paid below the minimum wage."
PRIVATE_QUESTION = "WT.1.1"
NOTED_NONCOMPLIANCES = {"OS.8.7": (EXIT_NOTE, "km"), "CO.2.1": (OVERTIME_NOTE, "zh-hans"),
                        PRIVATE_QUESTION: (WAGE_NOTE, "en")}  # fmt: skip
# The factory's responses to the exits finding (the published_report fixture).
OBJECTION = "The exit is locked only at night; the padlock is gone now."
RULING = "Upheld: the exit was locked during the day shift too."
ACTION = "Remove every padlock from the emergency exits."
PROGRESS_NOTE = "Padlocks removed on floor two; floor three next week."


def ensure_content():
    """Load the repository's content unless it is already in the database."""
    if not ChecklistVersion.objects.exists():
        call_command("load_content", verbosity=0, stdout=io.StringIO())


def answer_all(assessment, user, noncompliant=()):
    """Answer every question through the capture service, one call each: compliant (or not applicable where
    conditional), except the codes listed, non-compliant."""
    for question in assessment.checklist_version.questions.all():
        if question.code in noncompliant:
            answer = Answer.NON_COMPLIANT
        elif question.applies_if_id:
            answer = Answer.NOT_APPLICABLE
        else:
            answer = Answer.COMPLIANT
        save_finding(assessment, question_code=question.code, answer=answer, actor=user)


def fill_findings(assessment, monitor, noncompliant=(), answers=None):
    """Answer every question in one insert (capture is tested on its own): non-compliant for the codes in
    `noncompliant` (codes, or {code: (note, note language)}), the answer given in `answers` ({code: answer})
    for others, else compliant, or not applicable where conditional."""
    notes = noncompliant if isinstance(noncompliant, Mapping) else {code: ("", "en") for code in noncompliant}
    answers = answers or {}
    findings = []
    for question in assessment.checklist_version.questions.all():
        note, language = notes.get(question.code, ("", "en"))
        if question.code in notes:
            answer = Answer.NON_COMPLIANT
        elif question.code in answers:
            answer = answers[question.code]
        elif question.applies_if_id:
            answer = Answer.NOT_APPLICABLE
        else:
            answer = Answer.COMPLIANT
        findings.append(Finding(assessment=assessment, question=question, answer=answer, note=note,
                                note_language=language, updated_by=monitor))  # fmt: skip
    Finding.objects.bulk_create(findings)


def publish(assessment, team, noncompliant=(), answers=None):
    """A planned assessment straight through capture, submission and approval; returns it approved."""
    transition(assessment, "start", team.monitor)
    fill_findings(assessment, team.monitor, noncompliant, answers)
    transition(assessment, "submit", team.monitor)
    return transition(assessment, "approve", team.head)


def publish_visit(team, content, day, noncompliant=(), *, answers=None, factory=None,
                  type=Assessment.Type.ASSESSMENT, **fields):  # fmt: skip
    """Plan a one-day visit of the team's factory (or `factory`) by the team's two monitors on `day`, set the
    assessment's `fields` (workforce, interviews) and publish it."""
    visit = plan_assessment(factory=factory or team.factory, version=content, actor=team.head, visit_start=day,
                            visit_end=day, monitors=[team.monitor, team.monitor2], type=type)  # fmt: skip
    if fields:
        Assessment.objects.filter(pk=visit.pk).update(**fields)
    return publish(visit, team, noncompliant, answers)


def finding(assessment, code):
    """The assessment's finding on a question."""
    return assessment.findings.get(question__code=code)


def png_bytes(size=(40, 30)):
    output = io.BytesIO()
    Image.new("RGB", size, "orange").save(output, format="PNG")
    return output.getvalue()
