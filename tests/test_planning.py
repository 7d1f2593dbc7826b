"""Risk-based visit planning over a generated industry, the low-compliance cases, and public time-to-fix."""

import csv
import io
import re
import uuid
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ims.analytics.aggregates import rebuild_all
from ims.analytics.models import FactoryStanding
from ims.core.errors import Conflict, Invalid, NotAllowed
from ims.factories.models import Factory
from ims.planning import cases, risk
from ims.planning.models import LowComplianceCase
from ims.readings import services as readings
from ims.remediation.verification import verify_factory
from ims.voice import services as voice
from ims.voice.models import Response
from tests.factories import publish_visit

TWIN, OTHER_TWIN = "TWINA-0001", "TWINB-0001"


@pytest.fixture
def industry(team):
    """A generated industry of 12 factories over three years, and two more whose histories are identical (the
    same seed under two prefixes)."""
    year = timezone.localdate().year
    common = {"years": 3, "end_year": year, "actor": team.head.email, "stdout": StringIO()}
    call_command("generate_demo", factories=12, seed=7, **common)
    for prefix in ("TWINA", "TWINB"):
        call_command("generate_demo", factories=1, seed=99, prefix=prefix, **common)
    return {factory.ref: factory for factory in Factory.objects.filter(ref__in=(TWIN, OTHER_TWIN))}


def fresh_bad_signals(team, factory):
    """Ten workers answered last week, seven of them not paid all overtime; a device read a hot day yesterday."""
    today = timezone.localdate()
    campaign, _secret = voice.create_campaign(team.head, factory=factory, starts_on=today - timedelta(days=10),
                                              ends_on=today)  # fmt: skip
    for worker in range(10):
        answers = {"overtime_paid": "no" if worker < 7 else "yes"}
        voice.record_answers(campaign, answers, [], channel=Response.Channel.RAPIDPRO,
                             contact_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"twin/{worker}"))  # fmt: skip
    device, _token = readings.register_device(factory, "Cutting room")
    start = datetime.combine(today - timedelta(days=1), time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    rows = [readings.Row(start + timedelta(minutes=minute), None, 35.0, 75.0) for minute in range(60)]
    readings.store_readings(device, rows)
    readings.roll_up_pending()


def test_fresh_bad_signals_rank_a_factory_above_its_twin_and_the_page_says_why(team, industry):
    twin = industry[TWIN]
    before = {item.factory.ref: item for item in risk.rank()}
    assert before[TWIN].score == before[OTHER_TWIN].score  # identical histories, identical scores

    fresh_bad_signals(team, twin)
    ranked = risk.rank()
    refs = [item.factory.ref for item in ranked]
    assert refs.index(TWIN) < refs.index(OTHER_TWIN)
    first, second = ranked[refs.index(TWIN)], ranked[refs.index(OTHER_TWIN)]
    # Worker voice: 15 points x 7 of 10 workers; readings: 10 points x 1 breach day of the 10 that count fully.
    assert first.score - second.score == pytest.approx(15 * 0.7 + 10 * 0.1, abs=0.05)
    for key in risk.WEIGHTS:
        if key not in (risk.VOICE, risk.READINGS):
            assert first.factor(key).points == second.factor(key).points, key
    assert second.factor(risk.VOICE).points == 0 and second.factor(risk.READINGS).points == 0
    assert first.factor(risk.VOICE).share == pytest.approx(10.5 / first.score, abs=0.01)
    assert sum(factor.share for factor in first.factors) == pytest.approx(1.0, abs=0.01)
    assert "70%" in first.factor(risk.VOICE).detail

    head = Client()
    head.force_login(team.head)
    page = head.get(reverse("planning:visits")).content.decode()
    assert page.index(f'id="risk-{TWIN}"') < page.index(f'id="risk-{OTHER_TWIN}"')
    row = re.search(rf'<tr id="risk-{TWIN}".*?</tr>', page, re.S).group(0)
    assert 'data-factor="worker_voice"' in row and 'data-factor="readings"' in row
    other_row = re.search(rf'<tr id="risk-{OTHER_TWIN}".*?</tr>', page, re.S).group(0)
    assert 'data-factor="worker_voice"' not in other_row
    plan = re.search(r'href="([^"]*/assessments/plan/\?factory=' + TWIN + ')"', row).group(1)
    planning_page = head.get(plan.replace("&amp;", "&"))
    assert planning_page.status_code == 200 and TWIN in planning_page.content.decode()


def test_only_the_head_and_administrators_open_visit_planning(team):
    client = Client()
    client.force_login(team.monitor)
    assert client.get(reverse("planning:visits")).status_code == 403
    client.force_login(team.manager)
    assert client.get(reverse("planning:visits")).status_code == 403


def test_a_low_compliance_case_runs_from_joint_visit_through_two_months_to_an_outcome(team):
    with pytest.raises(Invalid):
        cases.open_case(team.head, team.factory, on=date(2026, 12, 1))  # not on the list
    FactoryStanding.objects.create(factory=team.factory, visit_end=date(2026, 11, 3), year=2026, assessment_ref="X",
                                   revision_number=1, public_noncompliant=9, is_low_compliance=True)  # fmt: skip
    assert [standing.factory for standing in cases.cases_to_open()] == [team.factory]
    case = cases.open_case(team.head, team.factory, on=date(2026, 12, 1))
    with pytest.raises(Conflict):
        cases.open_case(team.head, team.factory, on=date(2026, 12, 2))
    case = cases.record_joint_visit(team.head, case, date(2026, 12, 31), "MoLVT, MoC, GMAC")
    assert case.window_ends_on == date(2027, 2, 28)  # two months after 31 December
    with pytest.raises(Invalid):
        cases.close_case(team.head, case, LowComplianceCase.Outcome.IMPROVED, date(2027, 2, 27))
    case = cases.close_case(team.head, case, LowComplianceCase.Outcome.IMPROVED, date(2027, 3, 1))
    assert case.outcome == "improved" and case.closed_on == date(2027, 3, 1)
    # Still on the list after the window: the head may open a new case.
    assert [standing.factory for standing in cases.cases_to_open()] == [team.factory]
    with pytest.raises(NotAllowed):
        cases.open_case(team.monitor, team.factory)


def test_an_open_case_counts_in_the_risk_score(team):
    FactoryStanding.objects.create(factory=team.factory, visit_end=date(2026, 11, 3), year=2026, assessment_ref="X",
                                   revision_number=1, public_noncompliant=9)  # fmt: skip
    LowComplianceCase.objects.create(factory=team.factory, opened_on=date(2026, 12, 1), opened_by=team.head)
    scores = {item.factory.ref: item for item in risk.rank()}
    assert scores["TEAM-1"].factor(risk.LOW).points == 10
    assert scores["TEAM-2"].factor(risk.LOW).points == 0


def test_public_time_to_fix_is_on_the_statistics_page_and_in_the_open_data(team, content, pdfs_not_typeset):
    # TEAM-1: the locked exit found on 3 March, remediated by 1 September 2025 (182 days); TEAM-2: found on
    # 2 June, remediated by 3 November (154 days). The unpaid overtime persists at TEAM-1: not counted.
    publish_visit(team, content, date(2025, 3, 3), ["OS.8.7", "CO.2.1"])
    publish_visit(team, content, date(2025, 9, 1), ["CO.2.1"])
    publish_visit(team, content, date(2025, 6, 2), ["OS.8.7"], factory=team.other_factory)
    publish_visit(team, content, date(2025, 11, 3), [], factory=team.other_factory)
    verify_factory(team.factory)
    verify_factory(team.other_factory)
    rebuild_all()
    expected_median = (182 + 154) / 2

    page = Client().get(reverse("analytics:statistics"), {"year": 2025}).content.decode()
    row = re.search(r'<tr data-question="OS.8.7">.*?</tr>', page, re.S).group(0)
    assert '<td class="number">2</td>' in row and f'<td class="number">{expected_median:g}</td>' in row
    assert 'data-question="CO.2.1"' not in page.split('id="time-to-fix"')[1]

    download = Client().get(reverse("analytics_api:download", kwargs={"dataset": "time-to-fix", "fmt": "csv"}))
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows == [{"year": "2025", "question": "OS.8.7", "remediated": "2", "median_days": str(expected_median)}]
