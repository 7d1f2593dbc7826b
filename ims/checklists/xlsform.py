"""A checklist version as the rows of an XLSForm (the questionnaire workbook of ODK and Kobo), and back.

Groups per cluster and compliance point, a select_one per question with its text as the label and its guidance
as the hint in three languages, the applicability conditions on a sheet of their own; everything else the shared
format holds (legal basis, suggestion, standard, the non-compliant answer, public reporting, good practice sheets,
translation statuses) in columns named ``ims_*``, which ODK tools ignore. ims.capture.xlsform adds what capture
needs (the assessment reference, a note per question) and writes the workbook. A programme can edit that workbook
in a spreadsheet and bring it back as a new version: read_workbook() turns it into a document in the shared
format, which then goes through the same checks and two-step import as a JSON document.
"""

import io
import re
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ims.core.content_files import LANGUAGES, TRANSLATED_LANGUAGES, ContentError

# XLSForm language names: the code in brackets is what ODK tools match on (an ISO 639-1 code, hence zh).
FORM_LANGUAGES = {"en": "English (en)", "km": "Khmer (km)", "zh-hans": "Chinese (zh)"}
ANSWER_LIST = "answer"
# Not a choice list: pyxform writes a choice's extra columns into the form, and fails on translated ones.
CONDITION_SHEET = "ims_conditions"
QUESTION_FIELDS = {
    "text": "label",
    "guidance": "hint",
    "suggestion": "ims_suggestion",
    "legal_basis": "ims_legal_basis",
}
STATUS = "ims_translation_status"
TITLE = "ims_title"
ZIP_MAGIC = b"PK\x03\x04"
# A full checklist's workbook unpacks to about 2 MB; far more is a decompression bomb, not a checklist.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


def field_name(code, prefix="q"):
    """CL.1.2 -> q_CL_1_2: a valid XML name, the same for export and import."""
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', code)}"


def is_workbook(data):
    return data.startswith(ZIP_MAGIC)


def translated(kind, texts):
    """{"label::English (en)": ..., ...} for a {language: text} dict of the shared format."""
    return {f"{kind}::{FORM_LANGUAGES[language]}": texts.get(language, "") for language in LANGUAGES}


def statuses(item):
    return {f"{STATUS}::{FORM_LANGUAGES[language]}": item["translation_status"][language]
            for language in TRANSLATED_LANGUAGES}  # fmt: skip


def _question_row(question):
    labelled = {language: f"{question['code']} {text}".rstrip() for language, text in question["text"].items()}
    return {
        "type": f"select_one {ANSWER_LIST}",
        "name": field_name(question["code"]),
        **translated("label", labelled),
        **{key: value for name, kind in QUESTION_FIELDS.items() if name != "text"
           for key, value in translated(kind, question[name]).items()},
        "ims_standard": question["standard"],
        "ims_noncompliant_answer": question["noncompliant_answer"],
        "ims_applies_if": question["applies_if"] or "",
        "ims_publicly_reported": "yes" if question["publicly_reported"] else "no",
        "ims_good_practice_sheets": " ".join(question["good_practice_sheets"]),
        **statuses(question),
    }  # fmt: skip


def survey_rows(document, after_question=lambda question: []):
    """The survey sheet's rows for a document in the shared format; `after_question` adds rows after each one."""
    rows = []
    for cluster in document["clusters"]:
        rows.append({"type": "begin_group", "name": field_name(cluster["code"], "c"),
                     **translated("label", cluster["name"]), **statuses(cluster)})  # fmt: skip
        for point in cluster["compliance_points"]:
            rows.append({"type": "begin_group", "name": field_name(point["code"], "p"),
                         **translated("label", point["name"]), **statuses(point)})  # fmt: skip
            for question in point["questions"]:
                rows.append(_question_row(question))
                rows += after_question(question)
            rows.append({"type": "end_group"})
        rows.append({"type": "end_group"})
    return rows


def condition_rows(document):
    """The rows of the applicability conditions' sheet (questions name theirs in ims_applies_if)."""
    return [{"name": condition["code"], **translated("label", condition["label"]), **statuses(condition)}
            for condition in document["conditions"]]  # fmt: skip


def settings_row(document):
    return {
        "form_title": document["title"]["en"],
        **{f"{TITLE}::{FORM_LANGUAGES[language]}": document["title"].get(language, "")
           for language in TRANSLATED_LANGUAGES},
        "version": document["version"],
        "default_language": FORM_LANGUAGES["en"],
        **statuses(document),
    }  # fmt: skip


# Reading a workbook back.


def _text(value):
    """A cell as text: empty for a blank cell, whole numbers without '.0' (a spreadsheet turns 2027 into 2027.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet(workbook, title, problems, required=True):
    """[(row number, {column: text})] of a sheet whose first row names its columns."""
    if title not in workbook.sheetnames:
        if required:
            problems.append(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": title})
        return []
    rows = workbook[title].iter_rows(values_only=True)
    header = [_text(name) for name in next(rows, ())]
    return [
        (number, {column: _text(value) for column, value in zip(header, values, strict=False) if column})
        for number, values in enumerate(rows, start=2)
        if any(value not in (None, "") for value in values)
    ]


def _texts(row, kind):
    return {language: row.get(f"{kind}::{FORM_LANGUAGES[language]}", "") for language in LANGUAGES}


def _statuses(row):
    return {language: row.get(f"{STATUS}::{FORM_LANGUAGES[language]}", "") for language in TRANSLATED_LANGUAGES}


def _code(name, prefix, pattern):
    """c_CL -> CL, p_CL_1 -> CL.1, q_CL_1_2 -> CL.1.2, or None when the name is not of that form."""
    match = re.fullmatch(rf"{prefix}_({pattern})", name)
    return match[1].replace("_", ".") if match else None


def _question(number, row, code, problems):
    where = _("survey row %(row)s (%(name)s)") % {"row": number, "name": row.get("name", "")}
    texts = {name: _texts(row, kind) for name, kind in QUESTION_FIELDS.items()}
    for language, label in texts["text"].items():
        if label == code or label.startswith(f"{code} "):  # the code the export writes before the question
            texts["text"][language] = label[len(code) :].strip()
    answers = {"yes": True, "no": False}
    if row.get("ims_publicly_reported", "") not in answers:
        problems.append(_("%(where)s: ims_publicly_reported must be yes or no.") % {"where": where})
    return {
        "code": code,
        **texts,
        "standard": row.get("ims_standard", ""),
        "noncompliant_answer": row.get("ims_noncompliant_answer", ""),
        "applies_if": row.get("ims_applies_if") or None,
        "publicly_reported": answers.get(row.get("ims_publicly_reported", "")),
        "good_practice_sheets": row.get("ims_good_practice_sheets", "").split(),
        "translation_status": _statuses(row),
    }


def _clusters(rows, problems):
    """The clusters of the survey sheet: a question sits in a compliance point group inside a cluster group."""
    clusters, open_groups = [], []
    for number, row in rows:
        kind = re.sub(r"\s+", " ", row.get("type", "").replace("_", " "))
        name = row.get("name", "")
        if kind == "begin group":
            depth = len(open_groups)
            code = _code(name, "c", r"[A-Z]{2}") if depth == 0 else _code(name, "p", r"[A-Z]{2}_\d+")
            inside_refused = None in open_groups  # its problem is listed already
            open_groups.append(None if inside_refused or depth > 1 else code)
            if inside_refused:
                continue
            if code is None or depth > 1:
                problems.append(
                    _("survey row %(row)s: the group “%(name)s” must be a cluster (c_XX) holding compliance points "
                      "(p_XX_N).") % {"row": number, "name": name}
                )  # fmt: skip
            elif depth == 0:
                clusters.append({"code": code, "name": _texts(row, "label"), "translation_status": _statuses(row),
                                 "compliance_points": []})  # fmt: skip
            else:
                point = {"code": code, "name": _texts(row, "label"), "translation_status": _statuses(row)}
                clusters[-1]["compliance_points"].append({**point, "questions": []})
        elif kind == "end group":
            if not open_groups:
                problems.append(_("survey row %(row)s: end_group without a group to end.") % {"row": number})
            else:
                open_groups.pop()
        elif kind == f"select one {ANSWER_LIST}":
            code = _code(name, "q", r"[A-Z]{2}_\d+_\d+")
            if None in open_groups:
                continue
            if code is None or len(open_groups) != 2:
                problems.append(
                    _("survey row %(row)s: the question “%(name)s” must be named q_XX_N_M, inside its compliance "
                      "point's group.") % {"row": number, "name": name}
                )  # fmt: skip
                continue
            clusters[-1]["compliance_points"][-1]["questions"].append(_question(number, row, code, problems))
    if open_groups:
        problems.append(_("The survey sheet ends with a group that is never ended (end_group)."))
    return clusters


def read_workbook(data):
    """The document in the shared format that an XLSForm workbook describes; raises ContentError listing every
    problem the workbook's shape has (the content itself is checked afterwards, as any document is)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ContentError([_("The workbook unpacks to %(size)s MB; a checklist needs far less.")
                                % {"size": unpacked // (1024 * 1024)}])  # fmt: skip
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ContentError([_("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": error}]) from error
    try:
        problems = []
        settings = _sheet(workbook, "settings", problems)
        survey = _sheet(workbook, "survey", problems)
        conditions = _sheet(workbook, CONDITION_SHEET, problems, required=False)  # a form without conditions
        if problems:
            raise ContentError(problems)
        setting = settings[0][1] if settings else {}
        document = {
            "version": setting.get("version", ""),
            "title": {"en": setting.get("form_title", ""),
                      **{language: setting.get(f"{TITLE}::{FORM_LANGUAGES[language]}", "")
                         for language in TRANSLATED_LANGUAGES}},
            "translation_status": _statuses(setting),
            "conditions": [
                {"code": row.get("name", ""), "label": _texts(row, "label"), "translation_status": _statuses(row)}
                for _number, row in conditions
            ],
            "clusters": _clusters(survey, problems),
        }  # fmt: skip
    finally:
        workbook.close()
    if not document["version"]:
        problems.append(_("The settings sheet gives no version: name the new version in its “version” column."))
    if problems:
        raise ContentError(problems)
    return document
