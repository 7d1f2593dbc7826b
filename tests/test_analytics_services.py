"""Aggregates refreshed on publication, classification rules, private figures' access, streamed open data."""

import csv
import io
import json
import tracemalloc
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ims import policy
from ims.advisory.models import Committee
from ims.analytics import services
from ims.analytics.importing import import_assessments_text
from ims.analytics.models import ClassificationRule, IndustryAggregate, IndustryYear, VisitResult
from ims.assessments.models import Assessment
from ims.checklists.models import Question
from ims.core.errors import NotAllowed
from ims.factories.models import Factory
from ims.grants.models import AccessGrant
from tests.factories import publish_visit

PUBLIC_ISSUES = ("OS.8.7", "OS.8.13", "CO.1.1")
VOLUME = 4000  # visits in the download test: about 84,000 CSV rows


# Publication's background work runs at once; the six PDFs each publication asks for are another module's business.
pytestmark = pytest.mark.usefixtures("tasks_run_immediately", "pdfs_not_typeset")


@pytest.fixture
def published(team, content, django_capture_on_commit_callbacks):
    """Publishes a one-day visit of a factory with the codes given non-compliant, running what publication queues."""

    def make(factory, day, noncompliant=()):
        with django_capture_on_commit_callbacks(execute=True):
            return publish_visit(team, content, day, noncompliant, factory=factory)

    return make


@pytest.mark.django_db
def test_publishing_refreshes_the_visit_and_the_years_figures(team, published):
    published(team.other_factory, date(2025, 3, 1), ("OS.8.7",))
    published(team.factory, date(2025, 6, 2), PUBLIC_ISSUES)
    stats = services.industry_statistics(2025)
    assert stats["factories_assessed"] == 2
    rows = {row["code"]: row for row in stats["public_issues"]}
    assert (rows["OS.8.7"]["assessed"], rows["OS.8.7"]["noncompliant"]) == (2, 2)
    assert (rows["CO.1.1"]["assessed"], rows["CO.1.1"]["noncompliant"], rows["CO.1.1"]["rate"]) == (2, 1, 0.5)
    clusters = {row["code"]: row for row in stats["clusters"]}
    assert clusters["OS"]["noncompliant"] == 2 and clusters["CL"]["noncompliant"] == 0
    # A later visit in the same year replaces the factory's earlier one in the year's figures.
    published(team.factory, date(2025, 9, 1), ())
    rows = {row["code"]: row for row in services.industry_statistics(2025)["public_issues"]}
    assert (rows["OS.8.7"]["assessed"], rows["OS.8.7"]["noncompliant"]) == (2, 1)
    assert rows["CO.1.1"]["noncompliant"] == 0
    visits = list(VisitResult.objects.filter(factory=team.factory).order_by("visit_end"))
    assert [(v.sequence, v.latest_in_year, v.public_noncompliant) for v in visits] == [(1, False, 3), (2, True, 0)]
    progress = services.factory_progress(team.factory, team.head)
    assert progress["visits"][1]["changes"] == {"remediated": 2, "persistent": 0, "new": 0}  # OS.8 and CO.1


@pytest.mark.django_db
def test_a_factorys_position_and_who_may_see_it(team, content):
    import_visits(
        team.head,
        [(team.other_factory, date(2025, 3, 1), ("OS.8.7",)), (team.factory, date(2025, 6, 2), ("OS.8.7", "OS.3.1"))],
    )  # two compliance points
    position = services.factory_position(team.factory, team.head)
    os_row = next(row for row in position["clusters"] if row["code"] == "OS")
    assert os_row["factories"] == 2 and os_row["percentile"] == 0.5 and os_row["score"] < os_row["industry_average"]
    assert services.factory_position(team.factory, team.manager)["year"] == 2025
    for outsider in (team.other_manager, team.buyer, team.partner):
        with pytest.raises(NotAllowed):
            services.factory_position(team.factory, outsider)
    assert services.buyer_overview(team.buyer) == []
    AccessGrant.objects.create(factory=team.factory, buyer=team.buyer_org, granted_by=team.manager)
    assert services.factory_progress(team.factory, team.buyer)["visits"][0]["public_noncompliant"] == 2
    (row,) = services.buyer_overview(team.buyer)
    assert row["factory"] == team.factory and row["public_noncompliant"] == 2
    assert services.buyer_overview(team.other_buyer) == []
    assert policy.scope(team.other_buyer, "dashboard.factory", VisitResult.objects, via="factory").count() == 0


def import_visits(actor, visits):
    """Visits through the historical import (fast): every question compliant, or not applicable where
    conditional, except the listed non-compliances."""
    questions = list(Question.objects.values_list("code", "applies_if_id"))
    lines = []
    for factory, day, noncompliant in visits:
        findings = [{"question": code, "answer": "non_compliant" if code in noncompliant else
                     "not_applicable" if condition else "compliant"} for code, condition in questions]  # fmt: skip
        lines.append(json.dumps({
            "assessment_ref": f"{factory.ref}-{day}", "factory_ref": factory.ref, "checklist_version": "2026.1",
            "visit_start": str(day), "visit_end": str(day), "type": "assessment", "workers_total": 100,
            "workers_female": 80, "status": "approved", "findings": findings,
        }))  # fmt: skip
    result = import_assessments_text("\n".join(lines), actor)
    assert result.ok, result.errors


@pytest.mark.django_db
def test_low_compliance_and_high_performing_follow_the_configured_rule(
    team, make_factory, content, django_capture_on_commit_callbacks
):
    # Twelve clean factories, one with three visits and many public non-compliances.
    visits = [(make_factory(f"CLEAN-{number}"), date(2025, 2, 1 + number), ()) for number in range(12)]
    bad = make_factory("BAD-1")
    visits += [(bad, date(2025, month, 1), PUBLIC_ISSUES) for month in (3, 6, 9)]
    visits += [(team.factory, date(2024, 5, 1), ()), (team.factory, date(2025, 5, 1), ())]
    import_visits(team.head, visits)
    assert [row["ref"] for row in services.low_compliance_factories(2025)] == ["BAD-1"]
    assert services.high_performing_factories(2025) == []  # nobody has an active committee yet
    assert services.filter_band(Factory.objects.all(), "low_compliance").get() == bad
    assert not services.filter_band(Factory.objects.all(), "high_performing").exists()
    assert services.filter_band(Factory.objects.all(), "many").get() == bad
    assert services.filter_band(Factory.objects.all(), "not_assessed").get() == team.other_factory
    version = services.aggregates_version()
    with django_capture_on_commit_callbacks(execute=True):
        Committee.objects.create(factory=team.factory, formed_on=date(2024, 1, 1), is_active=True)
    assert [row["ref"] for row in services.high_performing_factories(2025)] == ["TEAM-1"]
    assert services.filter_band(Factory.objects.all(), "high_performing").get() == team.factory
    assert services.aggregates_version() != version
    history = services.factory_public_history(bad)
    assert [row["visit_end"].month for row in history] == [9, 6, 3] and history[0]["revision_number"] == 1
    assert services.factory_public_summary(team.factory)["is_high_performing"] is True
    assert services.factory_public_summary(bad)["is_low_compliance"] is True
    with django_capture_on_commit_callbacks(execute=True):
        ClassificationRule.objects.create(low_min_assessments=4, high_clean_assessments=3)
    assert services.low_compliance_factories(2025) == [] and services.high_performing_factories(2025) == []
    assert not services.filter_band(Factory.objects.all(), "low_compliance").exists()
    overview = services.programme_overview(2025)
    assert overview["factories_assessed"] == 14 and overview["low_compliance"] == 0
    assert overview["workers_total"] == 1400 and services.employment()[-1]["women_share"] == 0.8


@pytest.mark.django_db
def test_public_api_endpoints_answer_anonymous_clients(team, content):
    import_visits(team.head, [(team.factory, date(2025, 6, 2), ("OS.8.7",))])
    client = APIClient()
    assert client.get("/api/v1/public/statistics/years").json() == {"years": [2025]}
    assert client.get("/api/v1/public/statistics/noncompliance").status_code == 400
    empty = client.get("/api/v1/public/statistics/noncompliance", {"year": 2019}).json()
    assert empty["factories_assessed"] == 0 and all(row["rate"] is None for row in empty["clusters"])
    summary = client.get("/api/v1/public/factories/TEAM-1").json()
    assert summary["public_noncompliant"] == 1
    assert {"code": "OS.8.7", "cluster": "OS", "answer": "non_compliant"} in summary["public_issues"]
    listing = client.get("/api/v1/public/factories", {"q": "Team"}).json()
    assert [row["ref"] for row in listing["results"]] == ["TEAM-1"] and listing["results"][0][
        "public_noncompliant"
    ] == 1
    employment = client.get("/api/v1/public/statistics/employment").json()["years"]
    assert employment[0]["year"] == 2025


@pytest.mark.django_db
def test_public_api_is_rate_limited(settings, team):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute",
                                                                                     "user": "3/minute"}}  # fmt: skip
    client = APIClient()
    answers = [client.get("/api/v1/public/statistics/years").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/public/downloads/statistics.csv").status_code == 429


@pytest.mark.django_db
def test_open_data_downloads_stream_with_bounded_memory(team, content):
    import_visits(team.head, [(team.factory, date(2025, 6, 2), ("OS.8.7",))])
    source = Assessment.objects.get()
    revision = source.current_revision()
    issues = {f"OS.8.{number}": "non_compliant" if number % 3 else "compliant" for number in range(1, 22)}
    visits = Assessment.objects.bulk_create(
        Assessment(ref=f"BULK-{number}", factory=team.factory, checklist_version=source.checklist_version,
                   status="approved", visit_start=source.visit_start, visit_end=source.visit_end, created_by=team.head)
        for number in range(VOLUME)
    )  # fmt: skip
    VisitResult.objects.bulk_create(
        (VisitResult(factory=team.factory, assessment=visit, revision=revision, visit_end=date(2020, 1, 1), year=2020,
                     public_issues=issues) for visit in visits),
        batch_size=500,
    )  # fmt: skip
    client = APIClient()
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/v1/public/downloads/public-issues.csv")
    assert answer.status_code == 200 and answer.streaming
    assert not [query for query in queries.captured_queries if "analytics_visitresult" in query["sql"]]
    tracemalloc.start()
    total = chunks = 0
    first = b""
    for chunk in answer.streaming_content:  # rows are read as the body is sent, never all at once
        first = first or chunk
        total += len(chunk)
        chunks += 1
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total > 4_000_000 and chunks > 100
    assert peak < total / 3, (peak, total)
    header = next(csv.reader(io.StringIO(first.decode("utf-8-sig"))))
    assert header[:5] == ["factory_ref", "factory_name", "assessment_ref", "visit_end", "question"]
    answer = client.get("/api/v1/public/downloads/statistics.json")
    assert answer.streaming and answer["Content-Type"] == "application/json"
    assert client.get("/api/v1/public/downloads/secrets.csv").status_code == 404


@pytest.mark.django_db
def test_rebuilding_from_snapshots_gives_the_same_tables(team, content):
    import_visits(
        team.head,
        [
            (team.other_factory, date(2024, 3, 1), ("OS.8.7",)),
            (team.factory, date(2025, 6, 2), PUBLIC_ISSUES),
            (team.factory, date(2025, 8, 2), ()),
        ],
    )

    def tables():
        return (
            list(VisitResult.objects.order_by("assessment_id").values_list("assessment_id", "sequence",
                 "latest_in_year", "clean_streak", "public_noncompliant", "points")),
            list(IndustryAggregate.objects.values_list("year", "level", "code", "assessed", "noncompliant")),
            list(IndustryYear.objects.values_list("year", "factories_assessed", "cluster_scores")),
        )  # fmt: skip

    before = tables()
    from ims.analytics.aggregates import rebuild_all

    assert rebuild_all() == 3
    assert tables() == before
