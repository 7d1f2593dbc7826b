"""ODK / Kobo interoperability: the checklist as an XLSForm pyxform accepts, and submissions imported as findings."""

import io
import json
import uuid

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert
from rest_framework.test import APIClient

from ims.assessments.models import Answer, Finding
from ims.assessments.workflow import save_finding
from ims.capture.models import ExternalSubmission, SyncConflict
from ims.capture.xlsform import build_xlsform, field_name, note_name

API = "/api/v1/capture"


@pytest.fixture
def monitor_client(team):
    client = APIClient()
    client.force_login(team.monitor)
    return client


def survey_rows(data):
    sheet = load_workbook(io.BytesIO(data))["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def xml_submission(ref, answers, instance=None, notes=None, language="en", form_id="ims_checklist_2026_1"):
    """What ODK Collect sends: the instance of the form, answers nested in their groups."""
    instance = instance or f"uuid:{uuid.uuid4()}"
    fields = "".join(
        f"<c_{code.split('.')[0]}><p_{'_'.join(code.split('.')[:2])}>"
        f"<{field_name(code)}>{answer}</{field_name(code)}>"
        f"<{note_name(code)}>{(notes or {}).get(code, '')}</{note_name(code)}>"
        f"</p_{'_'.join(code.split('.')[:2])}></c_{code.split('.')[0]}>"
        for code, answer in answers.items()
    )
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{form_id}" version="2026.1"><assessment_ref>{ref}</assessment_ref><note_language>{language}'
        f"</note_language>{fields}<meta><orx:instanceID>{instance}</orx:instanceID></meta></data>"
    ).encode()


@pytest.mark.django_db
def test_the_xlsform_has_every_question_in_three_languages_and_pyxform_converts_it_without_warnings(content, tmp_path):
    data = build_xlsform(content)
    header, rows = survey_rows(data)
    for kind in ("label", "hint"):
        for language in ("English (en)", "Khmer (km)", "Chinese (zh)"):
            assert f"{kind}::{language}" in header
    questions = [row for row in rows if (row["type"] or "").startswith("select_one answer")]
    assert len(questions) == content.questions.count() == 274
    first = questions[0]
    assert first["name"] == "q_CL_1_1"
    assert first["label::English (en)"].startswith("CL.1.1 ")
    assert all(row["label::Khmer (km)"] and row["label::Chinese (zh)"] for row in questions)
    path = tmp_path / "checklist.xlsx"
    path.write_bytes(data)
    warnings = []
    result = convert(xlsform=str(path), warnings=warnings)
    assert warnings == []
    assert 'lang="Khmer (km)"' in result.xform and 'lang="Chinese (zh)"' in result.xform
    assert result.xform.count("<select1 ") == 274 + 1  # the questions and the note language


@pytest.mark.django_db
def test_programme_staff_download_the_xlsform(client, content, team):
    client.force_login(team.monitor)
    response = client.get(f"{API}/checklists/{content.code}/xlsform/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "ims_checklist_2026_1.xlsx" in response["Content-Disposition"]
    client.force_login(team.manager)
    assert client.get(f"{API}/checklists/{content.code}/xlsform/").status_code == 403


@pytest.mark.django_db
def test_an_odk_xml_submission_imports_as_findings_once(started, team, monitor_client):
    body = xml_submission(started.ref, {"CL.1.1": "non_compliant", "CL.1.2": "compliant"},
                          instance="uuid:6c1d5ba0-0a3a-4f4e-9d55-0c3c1f3a7e11", notes={"CL.1.1": "Boy in packing"},
                          language="km")  # fmt: skip
    url = f"{API}/assessments/{started.ref}/submissions/"
    response = monitor_client.post(url, body, content_type="application/xml")
    assert response.status_code == 201, response.content
    assert response.json()["submissions"][0]["created"] == 2
    rows = Finding.objects.filter(assessment=started).order_by("question__code")
    assert list(rows.values_list("question__code", "answer", "note", "note_language")) == [
        ("CL.1.1", "non_compliant", "Boy in packing", "km"),
        ("CL.1.2", "compliant", "", "km"),
    ]
    again = monitor_client.post(url, body, content_type="application/xml")
    assert again.status_code == 200 and again.json()["submissions"][0]["replayed"] is True
    assert Finding.objects.filter(assessment=started).count() == 2
    assert ExternalSubmission.objects.count() == 1


@pytest.mark.django_db
def test_the_same_instance_with_changed_answers_is_a_recorded_conflict(started, team, monitor_client):
    instance = "uuid:0f4b7d0e-5a3c-4c87-a1a4-2b6a1cf0b0aa"
    url = f"{API}/assessments/{started.ref}/submissions/"
    monitor_client.post(url, xml_submission(started.ref, {"CL.1.1": "compliant"}, instance),
                        content_type="application/xml")  # fmt: skip
    changed = monitor_client.post(url, xml_submission(started.ref, {"CL.1.1": "non_compliant"}, instance),
                                  content_type="application/xml")  # fmt: skip
    assert changed.status_code == 409
    assert Finding.objects.get(assessment=started).answer == "compliant"
    conflict = SyncConflict.objects.get()
    assert conflict.client_payload["answer"] == "non_compliant" and conflict.source == "odk"


@pytest.mark.django_db
def test_kobo_and_central_json_submissions_import_and_respect_existing_answers(started, team, monitor_client):
    save_finding(started, question_code="CL.1.3", answer=Answer.NOT_ASSESSED, actor=team.monitor2)
    kobo = {"results": [{
        "assessment_ref": started.ref, "note_language": "en", "_uuid": "a4b5c6d7-0000-4000-8000-000000000001",
        "meta/instanceID": "uuid:a4b5c6d7-0000-4000-8000-000000000001",
        "c_CL/p_CL_1/q_CL_1_1": "compliant", "c_CL/p_CL_1/q_CL_1_3": "compliant",
    }]}  # fmt: skip
    central = {
        "__id": "uuid:b4b5c6d7-0000-4000-8000-000000000002", "assessment_ref": started.ref,
        "c_FL": {"p_FL_1": {"q_FL_1_1": "not_applicable", "n_FL_1_1": "No such work"}},
        "meta": {"instanceID": "uuid:b4b5c6d7-0000-4000-8000-000000000002"},
    }  # fmt: skip
    url = f"{API}/assessments/{started.ref}/submissions/"
    first = monitor_client.post(url, json.dumps(kobo), content_type="application/json")
    assert first.status_code == 409  # CL.1.3 was answered otherwise: kept as a conflict, not overwritten
    result = first.json()["submissions"][0]
    assert (result["created"], len(result["conflicts"])) == (1, 1)
    assert Finding.objects.get(assessment=started, question__code="CL.1.3").answer == "not_assessed"
    second = monitor_client.post(url, json.dumps(central), content_type="application/json")
    assert second.status_code == 201
    assert Finding.objects.get(assessment=started, question__code="FL.1.1").note == "No such work"


UTF16_ENTITY = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE data [<!ENTITY ref "{ref}">]><data><assessment_ref>&ref;'
    "</assessment_ref><q_CL_1_1>compliant</q_CL_1_1><meta><instanceID>uuid:e</instanceID></meta></data>"
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<data><q_CL_1_1>compliant</q_CL_1_1></data>", "application/xml"),  # no instanceID
        (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><data/>', "application/xml"),
        # The declaration hidden from a byte search by another encoding; the entity names the assessment.
        (UTF16_ENTITY, "application/xml"),
        ('<?xml version="1.0" encoding="UTF-16-LE"?><data/>'.encode("utf-16-le"), "application/xml"),
        ('<?xml version="1.0" encoding="shift_jis"?><data/>'.encode("shift_jis"), "application/xml"),
        (b'<?xml version="1.0" encoding="x-no-such-encoding"?><data/>', "application/xml"),
        (b"", "application/xml"),
        (b"<data>", "application/xml"),
        (b'{"__id": "uuid:1", "q_CL_1_1": "maybe"}', "application/json"),
        (b'{"__id": "uuid:2", "assessment_ref": "OTHER", "q_CL_1_1": "compliant"}', "application/json"),
        (b'{"__id": "uuid:3", "unrelated": "x"}', "application/json"),
    ],
)
def test_bad_submissions_are_refused_and_change_nothing(started, monitor_client, body, content_type):
    if body is UTF16_ENTITY:
        body = UTF16_ENTITY.format(ref=started.ref).encode("utf-16")
    response = monitor_client.post(f"{API}/assessments/{started.ref}/submissions/", body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert response.json()["message"]
    assert not Finding.objects.exists() and not ExternalSubmission.objects.exists()


@pytest.mark.django_db
def test_a_submission_in_utf16_is_read_in_its_declared_encoding(started, monitor_client):
    text = xml_submission(started.ref, {"CL.1.1": "non_compliant"}, notes={"CL.1.1": "ប្រាក់ឈ្នួល"}, language="km")
    body = text.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    url = f"{API}/assessments/{started.ref}/submissions/"
    response = monitor_client.post(url, body, content_type="application/xml")
    assert response.status_code == 201, response.content
    finding = Finding.objects.get(assessment=started, question__code="CL.1.1")
    assert (finding.answer, finding.note) == ("non_compliant", "ប្រាក់ឈ្នួល")


@pytest.mark.django_db
def test_the_import_page_takes_submission_files(client, started, team):
    client.force_login(team.monitor)
    page = client.get(f"/km/capture/{started.ref}/import/")
    assert page.status_code == 200 and '<html lang="km">' in page.text
    upload = io.BytesIO(xml_submission(started.ref, {"CL.1.1": "compliant"}))
    upload.name = "submission.xml"
    response = client.post(f"/en/capture/{started.ref}/import/submit/", {"submissions": upload}, follow=True)
    assert "1 findings created" in response.text
    assert Finding.objects.filter(assessment=started).count() == 1
