from datetime import date

import pytest

from ims.assessments.models import Assessment, ClusterResult
from ims.assessments.workflow import transition
from ims.reports.analysis import industry_positions, previous_revision, progress
from ims.reports.context import report_context
from tests.factories import publish_visit


def revision_of(team, content, day, noncompliant, factory=None, **fields):
    """The published revision of a one-day visit."""
    return publish_visit(team, content, day, noncompliant, factory=factory, **fields).current_revision()


@pytest.mark.django_db
def test_progress_since_the_previous_visit_per_compliance_point(team, content):
    first = revision_of(team, content, date(2025, 11, 3), ("OS.8.7", "CO.1.1"))
    second = revision_of(team, content, date(2026, 5, 4), ("OS.8.7", "WT.2.1"))
    assert previous_revision(second) == first
    assert progress(second, first) == {"OS.8": "persistent", "CO.1": "remediated", "WT.2": "new"}
    assert previous_revision(first) is None and progress(first, None) == {}


@pytest.mark.django_db
def test_industry_average_uses_each_factorys_latest_result_in_the_year(team, content):
    other = team.other_factory
    revision_of(team, content, date(2025, 6, 1), ("OS.8.7", "OS.3.1", "OS.6.6"), other)  # superseded
    revision_of(team, content, date(2026, 4, 1), ("OS.8.7",), other)
    revision_of(team, content, date(2024, 1, 1), (), other)  # older than a year, and not latest
    own = revision_of(team, content, date(2026, 5, 4), ("OS.8.7", "OS.3.1"))
    os_rows = ClusterResult.objects.filter(revision=own, cluster="OS").get()
    (position,) = industry_positions(own, ["OS"])
    other_score = (os_rows.applicable - 1) / os_rows.applicable  # one point non-compliant there
    own_score = (os_rows.applicable - 2) / os_rows.applicable
    assert position.score == pytest.approx(own_score)
    assert position.industry_average == pytest.approx((own_score + other_score) / 2)
    assert (position.factories, position.percentile) == (2, 0.5)


@pytest.mark.django_db
def test_a_correction_replaces_the_factorys_result_in_the_industry_figures(team, content):
    revision = revision_of(team, content, date(2026, 5, 4), ("OS.8.7",))
    assessment = Assessment.objects.get(pk=revision.assessment_id)
    transition(assessment, "reopen", team.head, comment="Exit was open")
    transition(assessment, "approve", team.head)
    assert ClusterResult.objects.filter(revision__assessment=assessment, is_current=True).count() == 8
    assert ClusterResult.objects.filter(revision=revision, is_current=False).count() == 8


@pytest.mark.django_db
def test_report_context_gathers_what_the_documents_show(team, content):
    revision = revision_of(team, content, date(2026, 5, 4), ("OS.8.7", "CO.1.1"), workers_total=1000,
                           workers_female=800)  # fmt: skip
    detailed = report_context(revision, "detailed", "km")
    assert detailed["workforce"] == {"total": 1000, "female": 800, "share_female": 0.8}
    assert [item["question"].code for item in detailed["noncompliances"]] == ["CO.1.1", "OS.8.7"]
    assert len(detailed["clusters"]) == 8 and len(detailed["public_issues"]) == 21
    assert {code for code, _name in detailed["factory_names"]} == {"en", "km", "zh-hans"}
    os_cluster = next(item for item in detailed["clusters"] if item["cluster"].code == "OS")
    assert next(p for p in os_cluster["points"] if p["point"].code == "OS.8")["state"] == "non_compliant"
    assert detailed["is_current"] and detailed["progress"]["previous"] is None
