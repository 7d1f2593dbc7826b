import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ims.checklists.loading import load_checklist
from ims.checklists.models import ChecklistFrozen, ChecklistVersion, Cluster, CompliancePoint, Question
from ims.core.translated import TranslationStatus
from ims.factories.models import Province
from ims.goodpractice.models import GoodPracticeSheet

CONTENT = Path(__file__).resolve().parent.parent / "content"


def test_loaded_checklist_matches_the_issue(content):
    assert Cluster.objects.filter(version=content).count() == 8
    assert CompliancePoint.objects.filter(cluster__version=content).count() == 38
    assert Question.objects.filter(version=content).count() >= 250
    assert Question.objects.filter(version=content, publicly_reported=True).count() == 21
    assert GoodPracticeSheet.objects.count() >= 38
    question = Question.objects.get(version=content, code="CL.1.1")
    assert question.text_km and question.text_zh_hans and question.legal_basis_en
    assert question.translation_state("km") in (TranslationStatus.DRAFT, TranslationStatus.REVIEWED)


def test_reloading_unchanged_content_writes_nothing(content):
    result = load_checklist(CONTENT / "checklist" / "2026.1")
    assert (result.written, result.removed) == (0, 0)


@pytest.fixture
def content_copy(tmp_path):
    directory = tmp_path / "2026.1"
    shutil.copytree(CONTENT / "checklist" / "2026.1", directory)
    return directory


def edit_question(directory, code, **changes):
    path = directory / "compliance_points" / f"{code.rsplit('.', 1)[0]}.json"
    data = json.loads(path.read_text())
    question = next(q for q in data["questions"] if q["code"] == code)
    for field, value in changes.items():
        if isinstance(value, dict):
            question[field].update(value)
        else:
            question[field] = value
    path.write_text(json.dumps(data, ensure_ascii=False))


def test_a_frozen_version_refuses_a_changed_question(content, content_copy):
    content.freeze()
    edit_question(content_copy, "CL.1.1", text={"en": "A different question?"})
    with pytest.raises(ChecklistFrozen):
        load_checklist(content_copy)
    assert Question.objects.get(version=content, code="CL.1.1").text_en != "A different question?"


def test_a_frozen_version_refuses_a_changed_answer_logic(content, content_copy):
    content.freeze()
    question = Question.objects.get(version=content, code="CL.1.1")
    flipped = "yes" if question.noncompliant_answer == "no" else "no"
    edit_question(content_copy, "CL.1.1", noncompliant_answer=flipped)
    with pytest.raises(ChecklistFrozen):
        load_checklist(content_copy)


def test_a_frozen_version_still_accepts_a_corrected_translation(content, content_copy):
    content.freeze()
    edit_question(content_copy, "CL.1.1", text={"km": "សំណួរដែលបានកែ"}, translation_status={"km": "reviewed"})
    result = load_checklist(content_copy)
    assert result.written == 1
    question = Question.objects.get(version=content, code="CL.1.1")
    assert question.text_km == "សំណួរដែលបានកែ"
    assert question.translation_state("km") == TranslationStatus.REVIEWED


def test_an_unfrozen_version_drops_questions_removed_from_the_files(content, content_copy):
    path = content_copy / "compliance_points" / "CL.1.json"
    data = json.loads(path.read_text())
    dropped = data["questions"].pop()["code"]
    path.write_text(json.dumps(data, ensure_ascii=False))
    result = load_checklist(content_copy)
    assert result.removed == 1
    assert not Question.objects.filter(version=content, code=dropped).exists()


def database_content():
    """What load_content writes, as the database holds it."""
    return (
        list(Province.objects.order_by("code").values_list("code", "name_en", "name_km", "name_zh_hans")),
        list(Question.objects.order_by("version", "code").values_list("version__code", "code", "text_en")),
    )


def test_load_content_command_reports_problems_and_changes_nothing(content, tmp_path):
    """A broken checklist file among correct changes: the gazetteer, loaded before the checklist, is renamed
    and a question reworded in the same run, and neither change is kept."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    gazetteer = copy / "geography" / "cambodia.json"
    places = json.loads(gazetteer.read_text())
    places["provinces"][0]["name"]["en"] = "Renamed Province"
    gazetteer.write_text(json.dumps(places, ensure_ascii=False))
    edit_question(copy / "checklist" / "2026.1", "CL.1.1", text={"en": "A reworded question?"})
    (copy / "checklist" / "2026.1" / "compliance_points" / "CL.2.json").write_text('{"code": "CL.2"')
    before = database_content()

    with pytest.raises(CommandError, match=r"CL\.2\.json: invalid JSON"):
        call_command("load_content", content_dir=str(copy), stdout=StringIO())
    assert database_content() == before
    assert not Province.objects.filter(name_en="Renamed Province").exists()


def test_coverage_command_shows_full_translation(content):
    out = StringIO()
    call_command("translation_coverage", fail_under=100, stdout=out)
    report = out.getvalue()
    assert "km: content 100.0% translated" in report
    assert "zh-hans: content 100.0% translated" in report
    assert "interface 100.0% translated" in report


def test_coverage_command_counts_a_missing_translation(content):
    Question.objects.filter(version=content, code="CL.1.1").update(guidance_km="")
    out = StringIO()
    with pytest.raises(CommandError, match=r"below 100\.0%"):
        call_command("translation_coverage", fail_under=100, stdout=out)
    assert "km: content 99." in out.getvalue()


def test_the_frozen_version_itself_cannot_be_renamed_or_removed(content):
    content.freeze()
    content.code = "2026.X"
    with pytest.raises(ChecklistFrozen):
        content.save()
    with pytest.raises(ChecklistFrozen):
        ChecklistVersion.objects.get(pk=content.pk).delete()


def test_an_instance_loaded_before_freezing_cannot_slip_a_change_through(content):
    question = Question.objects.select_related("version").get(version=content, code="WT.1.1")
    question.version  # noqa: B018 (cached before the freeze)
    ChecklistVersion.objects.get(pk=content.pk).freeze()
    question.text_en = "Changed after freezing?"
    with pytest.raises(ChecklistFrozen):
        question.save()


def test_adding_to_a_frozen_version_is_a_form_error_not_a_crash(content):
    from django.core.exceptions import ValidationError

    content.freeze()
    cluster = Cluster(version=content, code="XX", name_en="New", order=99)
    with pytest.raises(ValidationError, match="is in use"):
        cluster.full_clean()
