"""Historical import: statistics through the public API equal a computation straight from the JSON Lines."""

import csv
import io
import json
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from ims.accounts.models import Role
from ims.analytics.generator import Generator
from ims.analytics.importing import import_assessments_text
from ims.analytics.models import ImportedAssessment, IndustryYear, VisitResult
from ims.assessments.models import Assessment, ClusterResult, Finding, ReportRevision, Status
from ims.checklists.models import Question
from ims.factories.importing import import_factories
from ims.factories.models import WorkforceSnapshot


@pytest.fixture
def head(make_user, programme):
    return make_user("head@analytics.example", Role.HEAD, programme)


@pytest.fixture
def generated(content):
    """Twelve factories, three years, two visits a year, as the import formats: (factories CSV, JSON Lines);
    the factories are imported."""
    generator = Generator(12, 3, 2025, seed=7, ref_prefix="HX")
    factories = generator.factories_csv()
    assert import_factories(factories).ok
    out = StringIO()
    generator.write_jsonl(out)
    return factories, out.getvalue()


@pytest.fixture
def history(generated):
    return generated[1]


def independent_statistics(jsonl, year):
    """The definition in docs/domain.md computed from the raw lines alone: each factory's latest visit in the year;
    a question counts where answered compliant or non-compliant; a cluster where any of its questions did,
    non-compliant if any was."""
    cluster_of = dict(Question.objects.values_list("code", "compliance_point__cluster__code"))
    latest = {}
    for line in jsonl.splitlines():
        record = json.loads(line)
        if record["visit_end"].startswith(str(year)):
            known = latest.get(record["factory_ref"])
            if known is None or record["visit_end"] > known["visit_end"]:
                latest[record["factory_ref"]] = record
    questions = defaultdict(lambda: [0, 0])
    clusters = defaultdict(lambda: [0, 0])
    for record in latest.values():
        answered = defaultdict(set)
        for finding in record["findings"]:
            if finding["answer"] in ("compliant", "non_compliant"):
                questions[finding["question"]][0] += 1
                questions[finding["question"]][1] += finding["answer"] == "non_compliant"
                answered[cluster_of[finding["question"]]].add(finding["answer"])
        for cluster, answers in answered.items():
            clusters[cluster][0] += 1
            clusters[cluster][1] += "non_compliant" in answers
    return len(latest), dict(questions), dict(clusters)


@pytest.mark.django_db
def test_statistics_through_the_api_equal_a_computation_from_the_raw_lines(history, head):
    result = import_assessments_text(history, head)
    assert result.ok, result.errors
    assert result.created == len(history.splitlines()) and result.years == [2023, 2024, 2025]
    client = APIClient()
    for year in (2023, 2024, 2025):
        answer = client.get("/api/v1/public/statistics/noncompliance", {"year": year})
        assert answer.status_code == 200
        body = answer.json()
        assert set(body) == {"year", "factories_assessed", "clusters", "questions"}
        factories, questions, clusters = independent_statistics(history, year)
        assert body["year"] == year and body["factories_assessed"] == factories == 12
        api_questions = {row["code"]: row for row in body["questions"]}
        assert len(api_questions) == Question.objects.count()
        for code, (assessed, noncompliant) in questions.items():
            row = api_questions[code]
            assert (row["assessed"], row["noncompliant"]) == (assessed, noncompliant), code
            assert row["rate"] == pytest.approx(noncompliant / assessed)
            assert set(row) == {"code", "cluster", "assessed", "noncompliant", "rate"}
        assert sum(row["noncompliant"] for row in body["questions"]) > 0
        api_clusters = {row["code"]: (row["assessed"], row["noncompliant"]) for row in body["clusters"]}
        assert api_clusters == {code: tuple(counts) for code, counts in clusters.items()}


def expected_snapshot(record, factory_row, finding_ids):
    """The snapshot docs/domain.md describes for an approved visit, from the JSON line, the factory's CSV row and the
    checklist alone. A compliance point is non-compliant if any of its questions is, else compliant if any is,
    else not assessed if any is, else not applicable. Imported visits name no monitor, no interview, no photo."""
    answers = {finding["question"]: finding for finding in record["findings"]}
    questions = Question.objects.filter(version__code=record["checklist_version"], code__in=answers).order_by(
        "compliance_point__cluster__order", "compliance_point__order", "order"
    )
    findings, points = [], defaultdict(set)
    for question in questions.select_related("compliance_point__cluster"):
        given = answers[question.code]
        point = question.compliance_point.code
        points[point].add(given["answer"])
        findings.append({
            "question": question.code, "cluster": question.compliance_point.cluster.code, "compliance_point": point,
            "publicly_reported": question.publicly_reported, "answer": given["answer"], "note": given.get("note", ""),
            "note_language": given.get("note_lang", "en"), "finding_id": finding_ids[question.code],
            "evidence": [],  # an imported visit brings no photos
        })  # fmt: skip
    order = ("non_compliant", "compliant", "not_assessed", "not_applicable")
    return {
        "schema_version": 1,
        "assessment": {
            "ref": record["assessment_ref"], "type": record["type"], "visit_start": record["visit_start"],
            "visit_end": record["visit_end"], "monitors": [], "interviews": {"workers": 0, "managers": 0, "union": 0},
            "workers_total": record["workers_total"], "workers_female": record["workers_female"],
        },
        "factory": {
            "ref": factory_row["factory_ref"], "name_en": factory_row["name_en"], "name_km": factory_row["name_km"],
            "name_zh": factory_row["name_zh"], "sector": factory_row["sector"], "province": factory_row["province"],
            "district": factory_row["district"] or None,
        },
        "checklist_version": record["checklist_version"],
        "findings": findings,
        "compliance_points": {point: next(a for a in order if a in given) for point, given in points.items()},
    }  # fmt: skip


@pytest.mark.django_db
def test_an_imported_visit_is_published_like_an_approved_one(generated, head):
    factories, history = generated
    assert import_assessments_text(history, head).ok
    record = json.loads(history.splitlines()[0])
    assessment = Assessment.objects.get(ref=record["assessment_ref"])
    assert assessment.status == Status.APPROVED and assessment.checklist_version.is_frozen
    revision = assessment.current_revision()
    factory_row = next(
        row for row in csv.DictReader(io.StringIO(factories)) if row["factory_ref"] == record["factory_ref"]
    )
    finding_ids = dict(Finding.objects.filter(assessment=assessment).values_list("question__code", "pk"))
    assert revision.snapshot == expected_snapshot(record, factory_row, finding_ids)  # reports read it like any other
    assert ClusterResult.objects.filter(revision=revision, is_current=True).count() == 8
    assert WorkforceSnapshot.objects.get(factory=assessment.factory, as_of=assessment.visit_end).workers_total == (
        assessment.workers_total
    )
    visit = VisitResult.objects.get(assessment=assessment)
    assert visit.sequence == 1 and visit.revision == revision
    assert Finding.objects.filter(assessment=assessment).count() == len(revision.snapshot["findings"]) == 274


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(history, head):
    assert import_assessments_text(history, head).created == 72
    counts = (Assessment.objects.count(), Finding.objects.count(), ReportRevision.objects.count())
    again = import_assessments_text(history, head)
    assert again.ok and again.created == 0 and again.unchanged == 72
    assert (Assessment.objects.count(), Finding.objects.count(), ReportRevision.objects.count()) == counts


@pytest.mark.django_db
def test_a_file_with_errors_writes_nothing_and_lists_them_by_line(history, head):
    lines = history.splitlines()
    broken = json.loads(lines[3])
    broken["findings"][0]["answer"] = "maybe"
    broken["workers_female"] = broken["workers_total"] + 1
    unknown_factory = json.loads(lines[5])
    unknown_factory["factory_ref"] = "NOPE-1"
    lines[3], lines[5] = json.dumps(broken), json.dumps(unknown_factory)
    lines[7] = "{not json"
    lines.append(lines[0])  # the same assessment twice
    result = import_assessments_text("\n".join(lines), head)
    assert not result.ok and result.created == 0
    by_line = defaultdict(list)
    for error in result.errors:
        by_line[error.line].append(error.column)
    assert set(by_line) == {4, 6, 8, len(lines)}
    assert set(by_line[4]) == {"findings[1]", "workers_female"}
    assert by_line[6] == ["factory_ref"] and by_line[len(lines)] == ["assessment_ref"]
    assert "line 8" in str(next(error for error in result.errors if error.line == 8))
    assert not Assessment.objects.exists() and not Finding.objects.exists() and not IndustryYear.objects.exists()


@pytest.mark.django_db
def test_a_changed_line_for_an_imported_ref_is_refused(history, head):
    assert import_assessments_text(history, head).ok
    lines = history.splitlines()
    changed = json.loads(lines[0])
    changed["findings"][0]["answer"] = (
        "non_compliant" if changed["findings"][0]["answer"] != "non_compliant" else ("compliant")
    )
    result = import_assessments_text(json.dumps(changed), head)
    assert [(error.line, error.column) for error in result.errors] == [(1, "assessment_ref")]
    assert ImportedAssessment.objects.count() == 72


@pytest.mark.django_db
def test_a_later_file_continues_each_factory_sequence(head, content):
    generator = Generator(4, 4, 2025, seed=3, ref_prefix="SQ")
    assert import_factories(generator.factories_csv()).ok
    out = StringIO()
    generator.write_jsonl(out)
    lines = out.getvalue().splitlines()
    early = [line for line in lines if json.loads(line)["visit_end"] < "2024"]
    late = [line for line in lines if json.loads(line)["visit_end"] >= "2024"]
    assert import_assessments_text("\n".join(late), head).ok
    assert import_assessments_text("\n".join(early), head).ok
    for factory_visits in _visits_by_factory().values():
        assert [visit.sequence for visit in factory_visits] == list(range(1, len(factory_visits) + 1))
        years = [visit.year for visit in factory_visits]
        assert [visit.latest_in_year for visit in factory_visits] == [
            index == len(years) - 1 or years[index + 1] != year for index, year in enumerate(years)
        ]
    assert list(IndustryYear.objects.values_list("year", flat=True)) == [2022, 2023, 2024, 2025]


def _visits_by_factory():
    visits = defaultdict(list)
    for visit in VisitResult.objects.order_by("visit_end", "assessment_id"):
        visits[visit.factory_id].append(visit)
    return visits


@pytest.mark.django_db
def test_the_commands_import_and_generate(tmp_path, head, content):
    call_command("generate_demo", factories=3, years=2, end_year=2025, prefix="CMD", actor=head.email,
                 stdout=StringIO())  # fmt: skip
    assert Assessment.objects.filter(factory__ref__startswith="CMD-").count() >= 6
    assert IndustryYear.objects.filter(year=2025, factories_assessed=3).exists()
    call_command("generate_demo", factories=3, years=2, end_year=2025, prefix="CMD", output=tmp_path, stdout=StringIO())
    path = tmp_path / "assessments.jsonl"
    output = StringIO()
    call_command("import_assessments", str(path), actor=head.email, stdout=output)  # same seed: already there
    assert "created 0 assessments" in output.getvalue()
    path.write_text('{"assessment_ref": "X"}\n')
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_assessments", str(path), actor=head.email, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_the_demo_seed_is_idempotent(monkeypatch, make_user, programme, content):
    from ims.analytics import demo

    monkeypatch.setattr(demo, "DEMO_FACTORIES", 3)
    monkeypatch.setattr(demo, "DEMO_YEARS", 2)
    make_user("head@ims.demo", Role.HEAD, programme)
    demo.seed(StringIO())
    counts = (Assessment.objects.count(), VisitResult.objects.count(), IndustryYear.objects.count())
    assert counts[0] >= 6 and counts[0] == counts[1] and counts[2] == 2
    output = StringIO()
    demo.seed(output)
    assert (Assessment.objects.count(), VisitResult.objects.count(), IndustryYear.objects.count()) == counts
    assert "0 assessments imported" in output.getvalue()
