"""The content kept in the repository, checked as files (no database)."""

import re
from pathlib import Path

import pytest

from ims.checklists.content import cross_check, read_checklist
from ims.core.content_files import LANGUAGES, ContentError
from ims.goodpractice.content import read_good_practice_sheets

ROOT = Path(__file__).resolve().parent.parent / "content"
KHMER = re.compile(r"[\u1780-\u17FF]")
HAN = re.compile(r"[\u4E00-\u9FFF]")


@pytest.fixture(scope="module")
def checklist():
    return read_checklist(ROOT / "checklist" / "2026.1")


@pytest.fixture(scope="module")
def sheets():
    return read_good_practice_sheets(ROOT / "good_practice")


def translated_texts(checklist, sheets):
    for cluster in checklist.clusters:
        yield cluster["code"], cluster["name"]
        for point in cluster["compliance_points"]:
            yield point["code"], point["name"]
            for question in point["questions"]:
                for field in ("text", "guidance", "suggestion", "legal_basis"):
                    yield f"{question['code']}.{field}", question[field]
    for condition in checklist.conditions:
        yield condition["code"], condition["label"]
    for sheet in sheets:
        for field in ("title", "summary", "body"):
            yield f"{sheet['slug']}.{field}", sheet[field]


def test_checklist_has_eight_clusters_and_at_least_250_questions(checklist):
    assert [cluster["code"] for cluster in checklist.clusters] == ["CL", "DI", "FL", "FA", "CO", "CT", "OS", "WT"]
    assert sum(len(cluster["compliance_points"]) for cluster in checklist.clusters) == 38
    assert len(list(checklist.questions())) >= 250


def test_exactly_21_publicly_reported_issues_and_valid_links(checklist, sheets):
    assert cross_check(checklist, sheets) == []
    public = [q["code"] for q in checklist.questions() if q["publicly_reported"]]
    assert len(public) == 21
    assert {code.split(".")[0] for code in public} == {"CL", "DI", "FL", "FA", "CO", "CT", "OS"}


def test_both_answer_styles_and_both_standards_are_used(checklist):
    questions = list(checklist.questions())
    assert {q["noncompliant_answer"] for q in questions} == {"yes", "no"}
    assert {q["standard"] for q in questions} == {"national", "international"}
    assert any(q["applies_if"] for q in questions)


def test_at_least_38_good_practice_sheets_each_linked_from_a_question(checklist, sheets):
    assert len(sheets) >= 38
    linked = {slug for q in checklist.questions() for slug in q["good_practice_sheets"]}
    assert {sheet["slug"] for sheet in sheets} <= linked


def test_every_text_exists_in_all_three_languages_in_the_right_script(checklist, sheets):
    problems = []
    for where, texts in translated_texts(checklist, sheets):
        for language in LANGUAGES:
            if not (texts.get(language) or "").strip():
                problems.append(f"{where}: no {language} text")
        if not KHMER.search(texts.get("km") or ""):
            problems.append(f"{where}: km text has no Khmer script")
        if not HAN.search(texts.get("zh-hans") or ""):
            problems.append(f"{where}: zh-hans text has no Chinese characters")
    assert problems == []


def test_a_broken_file_is_reported_with_its_name(tmp_path):
    directory = tmp_path / "2099.1"
    (directory / "compliance_points").mkdir(parents=True)
    source = ROOT / "checklist" / "2026.1"
    (directory / "manifest.json").write_text((source / "manifest.json").read_text())
    (directory / "conditions.json").write_text("[{,}]")
    with pytest.raises(ContentError) as error:
        read_checklist(directory)
    assert "conditions.json: invalid JSON at line 1" in str(error.value)
