"""A checklist version as an XLSForm, so ODK Collect, KoboCollect and Enketo can capture it.

The checklist's own rows and columns are ims.checklists.xlsform's (so a workbook written here reads back as the
same version); this adds what capture needs: the assessment reference, the notes' language and an optional note
after each question. The names are derived from question codes by field_name(), which odk.py uses to read
submissions back.
"""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ims.assessments.models import Answer
from ims.checklists import xlsform as checklist_form
from ims.checklists.exchange import export_version
from ims.checklists.xlsform import ANSWER_LIST, FORM_LANGUAGES, field_name

LANGUAGE_LIST = "note_language"
REF_FIELD = "assessment_ref"
LANGUAGE_FIELD = "note_language"


def note_name(code):
    return field_name(code, prefix="n")


def form_id(version):
    return field_name(version.code, prefix="ims_checklist")


def _in_each_language(make):
    row = {}
    for language, column in FORM_LANGUAGES.items():
        with translation.override(language):
            row[column] = make(language)
    return row


def _interface_labels(text, kind="label"):
    return {f"{kind}::{column}": value for column, value in _in_each_language(lambda _lang: _(text)).items()}


def _survey_rows(document):
    note = _interface_labels("Note")
    return [
        {"type": "text", "name": REF_FIELD, "required": "yes", **_interface_labels("Assessment reference")},
        {
            "type": f"select_one {LANGUAGE_LIST}",
            "name": LANGUAGE_FIELD,
            "default": "en",
            **_interface_labels("Language of the notes"),
        },
        *checklist_form.survey_rows(
            document,
            after_question=lambda question: [
                {
                    "type": "text",
                    "name": note_name(question["code"]),
                    "relevant": f"${{{field_name(question['code'])}}} != ''",
                    **note,
                }
            ],
        ),
    ]


def _choice_rows():
    rows = []
    for value, _label in Answer.choices:
        labels = _in_each_language(lambda _lang, value=value: str(Answer(value).label))
        rows.append({"list_name": ANSWER_LIST, "name": value, **{f"label::{k}": v for k, v in labels.items()}})
    for language, column in FORM_LANGUAGES.items():
        rows.append({"list_name": LANGUAGE_LIST, "name": language,
                     **{f"label::{other}": column.split(" (")[0] for other in FORM_LANGUAGES.values()}})  # fmt: skip
    return rows


def _sheet(workbook, title, rows, first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    columns = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])


def build_xlsform(version):
    """The XLSForm workbook of a checklist version, as bytes of an .xlsx file."""
    document = export_version(version)
    workbook = Workbook()
    _sheet(workbook, "survey", _survey_rows(document), first=True)
    _sheet(workbook, "choices", _choice_rows())
    _sheet(workbook, checklist_form.CONDITION_SHEET, checklist_form.condition_rows(document))
    _sheet(workbook, "settings", [{**checklist_form.settings_row(document), "form_id": form_id(version)}])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
