"""A checklist version comes back from its XLSForm workbook, edited in a spreadsheet, as a new version."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from ims.capture.xlsform import build_xlsform
from ims.checklists.content import ContentError
from ims.checklists.exchange import export_version, read_document
from ims.checklists.models import ChecklistVersion, Question
from ims.checklists.xlsform import read_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IN_ORDER = ("compliance_point__cluster__order", "compliance_point__order", "order")


def edited(data, edit):
    """The workbook after `edit(workbook)`, as a spreadsheet program would save it."""
    workbook = load_workbook(io.BytesIO(data))
    edit(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def column(sheet, name):
    return [cell.value for cell in sheet[1]].index(name) + 1


def survey_row(sheet, name):
    names = column(sheet, "name")
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, names).value == name)


def set_cell(sheet, row_name, column_name, value):
    sheet.cell(survey_row(sheet, row_name), column(sheet, column_name)).value = value


def renamed(version_code):
    def edit(workbook):
        workbook["settings"].cell(2, column(workbook["settings"], "version"), version_code)

    return edit


def name_of(question):
    return f"q_{question.code.replace('.', '_')}"


def pending():
    """The uploads kept aside for a confirmation."""
    return default_storage.listdir("checklist-imports")[1] if default_storage.exists("checklist-imports") else []


def upload(client, data):
    return client.post("/en/checklists/import/", {"file": SimpleUploadedFile("checklist.xlsx", data, XLSX)})


@pytest.mark.django_db
def test_the_xlsform_download_reads_back_as_the_version_it_was_made_from(content):
    assert read_workbook(build_xlsform(content)) == export_version(content)


@pytest.mark.django_db
def test_an_edited_workbook_shows_its_changes_and_is_saved_as_a_new_version_on_confirmation(
    client, content, programme_admin
):
    first = Question.objects.filter(version=content).order_by(*IN_ORDER).first()
    last = Question.objects.filter(compliance_point=first.compliance_point).order_by("order").last()

    def edit(workbook):
        renamed("2027.1")(workbook)
        survey = workbook["survey"]
        set_cell(survey, name_of(first), "label::English (en)", f"{first.code} Edited text?")
        set_cell(survey, name_of(first), "ims_legal_basis::Khmer (km)", "មាត្រា ១")
        row = survey_row(survey, name_of(last))
        survey.delete_rows(row, 2)  # the question and its note

    client.force_login(programme_admin)
    preview = upload(client, edited(build_xlsform(content), edit))
    assert preview.status_code == 200
    page = preview.text
    assert "Changes against version 2026.1" in page
    assert f"<td>{first.code}</td><td>Changed: legal basis, question</td>" in page
    assert f"<td>{last.code}</td><td>Removed</td>" in page
    assert not ChecklistVersion.objects.filter(code="2027.1").exists()

    digest = page.split('name="confirm" value="')[1].split('"')[0]
    saved = client.post("/en/checklists/import/", {"confirm": digest})
    assert saved.status_code == 302 and saved["Location"] == "/en/checklists/2027.1/"
    new = ChecklistVersion.objects.get(code="2027.1")
    assert Question.objects.filter(version=new).count() == Question.objects.filter(version=content).count() - 1
    changed = Question.objects.get(version=new, code=first.code)
    assert (changed.text_en, changed.legal_basis_km) == ("Edited text?", "មាត្រា ១")
    assert changed.text_km == first.text_km and changed.guidance_zh_hans == first.guidance_zh_hans
    assert not Question.objects.filter(version=new, code=last.code).exists()


@pytest.mark.django_db
def test_a_workbook_with_problems_lists_each_and_keeps_nothing(client, content, programme_admin):
    last = Question.objects.filter(version=content).order_by(*IN_ORDER).last()
    name = name_of(last)
    first_cluster = Question.objects.filter(version=content).order_by(*IN_ORDER).first().compliance_point.cluster

    def edit(workbook):
        renamed("2027.1")(workbook)
        survey = workbook["survey"]
        set_cell(survey, name, "ims_publicly_reported", "maybe")
        set_cell(survey, f"c_{first_cluster.code}", "name", "cluster one")

    client.force_login(programme_admin)
    kept_before = pending()
    page = upload(client, edited(build_xlsform(content), edit)).text
    assert "the group “cluster one” must be a cluster (c_XX)" in page
    assert f"({name}): ims_publicly_reported must be yes or no" in page
    assert 'name="confirm"' not in page
    assert ChecklistVersion.objects.count() == 1
    assert pending() == kept_before


@pytest.mark.django_db
def test_the_content_checks_apply_to_a_workbook_as_to_a_json_document(content):
    first = Question.objects.filter(version=content).order_by(*IN_ORDER).first()

    def edit(workbook):
        renamed("2027.1")(workbook)
        set_cell(workbook["survey"], name_of(first), "ims_legal_basis::English (en)", None)
        set_cell(workbook["survey"], name_of(first), "ims_standard", "galactic")

    document = read_workbook(edited(build_xlsform(content), edit))
    with pytest.raises(ContentError) as refused:
        read_document(document)
    problems = "\n".join(refused.value.problems)
    assert f"{first.code}: 'legal_basis.en' (the source text) is empty" in problems
    assert f"{first.code}: 'standard' must be one of" in problems


def test_a_file_that_is_not_a_workbook_is_refused_with_the_reason():
    with pytest.raises(ContentError) as refused:
        read_workbook(b"PK\x03\x04 not really a zip archive")
    assert refused.value.problems[0].startswith("The file is not an Excel workbook (.xlsx)")


def test_a_workbook_without_its_sheets_names_each_missing_sheet():
    output = io.BytesIO()
    Workbook().save(output)
    with pytest.raises(ContentError) as refused:
        read_workbook(output.getvalue())
    assert refused.value.problems == [
        "The workbook has no sheet named “settings”.",
        "The workbook has no sheet named “survey”.",
    ]


def test_a_decompression_bomb_is_refused_before_it_is_unpacked():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (65 * 1024 * 1024))
    packed = output.getvalue()
    assert len(packed) < 1024 * 1024
    with pytest.raises(ContentError) as refused:
        read_workbook(packed)
    assert refused.value.problems == ["The workbook unpacks to 65 MB; a checklist needs far less."]
