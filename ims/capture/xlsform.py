"""A checklist version as an XLSForm, so ODK Collect, KoboCollect and Enketo can capture it.

One select_one per question (the four answers), each followed by an optional note, grouped by cluster
and compliance point. Labels and hints carry the three languages as ``label::English (en)`` columns.
The names are derived from question codes by field_name(), which odk.py uses to read submissions back.
"""

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ims.assessments.models import Answer
from ims.checklists.models import Question

# XLSForm language names: the code in brackets is what ODK tools match on (an ISO 639-1 code, hence zh).
FORM_LANGUAGES = {"en": "English (en)", "km": "Khmer (km)", "zh-hans": "Chinese (zh)"}
ANSWER_LIST = "answer"
LANGUAGE_LIST = "note_language"
REF_FIELD = "assessment_ref"
LANGUAGE_FIELD = "note_language"


def field_name(code, prefix="q"):
    """CL.1.2 -> q_CL_1_2: a valid XML name, the same for export and import."""
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', code)}"


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


def _labels(obj, field, kind="label"):
    return {
        f"{kind}::{column}": text for column, text in _in_each_language(lambda lang: obj.text_in(field, lang)).items()
    }


def _interface_labels(text, kind="label"):
    return {f"{kind}::{column}": value for column, value in _in_each_language(lambda _lang: _(text)).items()}


def _survey_rows(version):
    rows = [
        {"type": "text", "name": REF_FIELD, "required": "yes", **_interface_labels("Assessment reference")},
        {
            "type": f"select_one {LANGUAGE_LIST}",
            "name": LANGUAGE_FIELD,
            "default": "en",
            **_interface_labels("Language of the notes"),
        },
    ]
    questions = (
        Question.objects.filter(version=version)
        .select_related("compliance_point__cluster", "applies_if")
        .order_by("compliance_point__cluster__order", "compliance_point__order", "order")
    )
    cluster = point = None
    for question in questions:
        if question.compliance_point != point:
            if point is not None:
                rows.append({"type": "end_group"})
            if question.compliance_point.cluster != cluster:
                if cluster is not None:
                    rows.append({"type": "end_group"})
                cluster = question.compliance_point.cluster
                rows.append({"type": "begin_group", "name": field_name(cluster.code, "c"), **_labels(cluster, "name")})
            point = question.compliance_point
            rows.append({"type": "begin_group", "name": field_name(point.code, "p"), **_labels(point, "name")})
        answer = field_name(question.code)
        rows.append(
            {
                "type": f"select_one {ANSWER_LIST}",
                "name": answer,
                **{key: f"{question.code} {text}" for key, text in _labels(question, "text").items()},
                **_labels(question, "guidance", kind="hint"),
            }
        )
        rows.append(
            {
                "type": "text",
                "name": note_name(question.code),
                "relevant": f"${{{answer}}} != ''",
                **_interface_labels("Note"),
            }
        )
    if questions:
        rows += [{"type": "end_group"}, {"type": "end_group"}]
    return rows


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
    workbook = Workbook()
    _sheet(workbook, "survey", _survey_rows(version), first=True)
    _sheet(workbook, "choices", _choice_rows())
    _sheet(
        workbook,
        "settings",
        [
            {
                "form_title": version.text_in("title", "en"),
                "form_id": form_id(version),
                "version": version.code,
                "default_language": FORM_LANGUAGES["en"],
            }
        ],
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
