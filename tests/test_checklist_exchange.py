"""Checklist versions in the shared JSON format: exported by command and API, imported back as themselves."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from ims.checklists.content import ContentError, read_checklist
from ims.checklists.exchange import VersionExists, difference, export_version, import_version
from ims.checklists.models import ChecklistVersion, Question

CONTENT = Path(__file__).resolve().parent.parent / "content" / "checklist" / "2026.1"


def exported(code):
    output = StringIO()
    call_command("export_checklist", code, stdout=output)
    return json.loads(output.getvalue())


def as_new_version(document, code="2027.1"):
    renamed = copy.deepcopy(document)
    renamed["version"] = code
    return renamed


@pytest.mark.django_db
def test_the_command_writes_every_question_of_the_content_files_with_its_texts(content):
    document = exported(content.code)
    files = read_checklist(CONTENT)  # read independently of the database
    by_code = {q["code"]: q for c in document["clusters"] for p in c["compliance_points"] for q in p["questions"]}
    expected = {question["code"]: question for question in files.questions()}
    assert list(by_code) == list(expected)  # every question, in the checklist's order
    for code, question in expected.items():
        for name in ("text", "guidance", "suggestion", "legal_basis"):
            assert by_code[code][name] == {language: question[name].get(language) or "" for language in question[name]}
        for name in ("standard", "noncompliant_answer", "applies_if", "publicly_reported", "translation_status"):
            assert by_code[code][name] == question[name], (code, name)
        assert by_code[code]["good_practice_sheets"] == sorted(question.get("good_practice_sheets", []))
    assert document["conditions"] == json.loads((CONTENT / "conditions.json").read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_the_command_names_the_known_versions_when_asked_for_another(content):
    with pytest.raises(CommandError, match=r"No checklist version '1999.9'; the versions are: 2026.1"):
        call_command("export_checklist", "1999.9", stdout=StringIO())


@pytest.mark.django_db
def test_the_public_api_serves_the_same_document_as_the_command(content):
    answer = APIClient().get(f"/api/v1/public/checklists/{content.code}/")
    assert answer.status_code == 200
    assert answer.json() == exported(content.code)
    assert APIClient().get("/api/v1/public/checklists/1999.9/").status_code == 404


@pytest.mark.django_db
def test_an_exported_version_re_imports_as_an_identical_version(content):
    document = exported(content.code)
    copy_of_it = import_version(as_new_version(document))
    assert copy_of_it.code == "2027.1" and copy_of_it.pk != content.pk
    assert export_version(copy_of_it) == as_new_version(document)
    assert Question.objects.filter(version=copy_of_it).count() == Question.objects.filter(version=content).count()
    assert difference(document, export_version(copy_of_it)).is_empty


@pytest.mark.django_db
def test_an_existing_version_code_is_refused_and_nothing_is_written(content):
    before = Question.objects.count()
    with pytest.raises(VersionExists):
        import_version(exported(content.code))
    assert Question.objects.count() == before


@pytest.mark.django_db
def test_an_invalid_document_is_refused_with_every_problem_and_nothing_is_written(content):
    document = as_new_version(exported(content.code))
    point = document["clusters"][0]["compliance_points"][0]
    point["questions"][0]["text"]["en"] = ""
    point["questions"][1]["standard"] = "galactic"
    with pytest.raises(ContentError) as refused:
        import_version(document)
    problems = "\n".join(refused.value.problems)
    assert "text.en" in problems and "standard" in problems
    assert not ChecklistVersion.objects.filter(code="2027.1").exists()


@pytest.mark.django_db
def test_the_difference_names_added_removed_and_changed_questions(content):
    previous = exported(content.code)
    document = as_new_version(previous)
    point = document["clusters"][0]["compliance_points"][0]
    removed = point["questions"].pop()
    changed = point["questions"][0]
    changed["text"]["en"] = "Did the monitor find any worker under 15?"
    added = {**copy.deepcopy(changed), "code": f"{point['code']}.99"}
    point["questions"].append(added)
    result = difference(previous, document)
    assert result.added == [added["code"]]
    assert result.removed == [removed["code"]]
    assert result.changed == {changed["code"]: ["text"]}


def upload(client, document, name="checklist.json"):
    data = json.dumps(document, ensure_ascii=False).encode()
    return client.post("/en/checklists/import/", {"file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_an_administrator_sees_the_changes_before_the_new_version_is_saved(client, content, programme_admin):
    document = as_new_version(exported(content.code))
    point = document["clusters"][0]["compliance_points"][0]
    point["questions"][0]["guidance"]["en"] = "Walk through every production area."
    removed = point["questions"].pop()
    client.force_login(programme_admin)

    preview = upload(client, document)
    assert preview.status_code == 200
    page = preview.text
    assert "Changes against version 2026.1" in page
    assert f"<td>{point['questions'][0]['code']}</td><td>Changed: guidance for monitors</td>" in page
    assert f"<td>{removed['code']}</td><td>Removed</td>" in page
    assert not ChecklistVersion.objects.filter(code="2027.1").exists()  # nothing saved before the confirmation

    digest = page.split('name="confirm" value="')[1].split('"')[0]
    saved = client.post("/en/checklists/import/", {"confirm": digest})
    assert saved.status_code == 302 and saved["Location"] == "/en/checklists/2027.1/"
    assert export_version(ChecklistVersion.objects.get(code="2027.1")) == document
    again = client.post("/en/checklists/import/", {"confirm": digest})
    assert "no longer waiting" in again.text


@pytest.mark.django_db
def test_an_upload_with_problems_lists_them_and_saves_nothing(client, content, programme_admin):
    client.force_login(programme_admin)
    same_code = upload(client, exported(content.code)).text
    assert "Version 2026.1 exists already" in same_code and 'name="confirm"' not in same_code
    not_json = client.post("/en/checklists/import/", {"file": SimpleUploadedFile("x.json", b"{oops")}).text
    assert "The file is not JSON" in not_json
    assert ChecklistVersion.objects.count() == 1


@pytest.mark.django_db
def test_only_programme_administrators_may_import(client, content, team):
    client.force_login(team.head)
    assert client.get("/en/checklists/import/").status_code == 403
