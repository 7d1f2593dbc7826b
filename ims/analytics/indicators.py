"""Every indicator the programme publishes, defined once (docs/domain.md, "Indicators").

Each definition names its numerator, denominator and period; the functions below are the only
places that compute them. Aggregates, pages, the API and the benchmark's hand-written SQL all
follow these definitions.
"""

import statistics
from bisect import bisect_right
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ims.assessments.models import Answer
from ims.assessments.snapshot import point_states

COMPLIANT = Answer.COMPLIANT.value
NON_COMPLIANT = Answer.NON_COMPLIANT.value
APPLICABLE = (COMPLIANT, NON_COMPLIANT)  # answered either way: counts in the denominator


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise  # translated when shown
    numerator: str | Promise
    denominator: str | Promise
    period: str | Promise


PERIOD = _("calendar year; each factory counts once, with its latest approved assessment in the year")

INDICATORS = (
    Indicator(
        "noncompliance_rate",
        _("Non-compliance rate of a question, compliance point or cluster"),
        _("factories whose latest approved assessment in the period is non-compliant on it"),
        _("factories assessed in the period where it was applicable (answered compliant or non-compliant)"),
        PERIOD,
    ),
    Indicator(
        "cluster_score",
        _("Factory compliance score per cluster"),
        _("compliance points of the cluster answered compliant"),
        _("compliance points of the cluster that applied (answered compliant or non-compliant)"),
        _("the factory's latest approved assessment in the period"),
    ),
    Indicator(
        "cluster_percentile",
        _("Percentile of a factory's cluster score"),
        _("factories assessed in the period scoring at or below the factory"),
        _("factories assessed in the period where the cluster applied"),
        PERIOD,
    ),
    Indicator(
        "progress",
        _("Progress per compliance point between two visits"),
        _("compliance points remediated (non-compliant, then compliant), persistent, or new"),
        _("compliance points of the two consecutive published visits"),
        _("consecutive published visits of one factory"),
    ),
    Indicator(
        "employment",
        _("Workers and share of women"),
        _("women workers at the visit"),
        _("workers at the visit, summed over factories assessed in the period"),
        PERIOD,
    ),
    Indicator(
        "public_noncompliance",
        _("Non-compliant public issues of a factory"),
        _("publicly reported questions answered non-compliant in the assessment"),
        _("publicly reported questions that applied"),
        _("one assessment"),
    ),
)


def period_of(day):
    """The period a visit counts in: the year of its last visit day."""
    return day.year


def rate(noncompliant, assessed):
    return noncompliant / assessed if assessed else None


def share(part, whole):
    return part / whole if whole else None


def visit_figures(snapshot):
    """What a published snapshot counts for the indicators (the fields of a VisitResult)."""
    findings = snapshot["findings"]
    points = {code: state for code, state in point_states(findings).items() if state in APPLICABLE}
    clusters = {}
    for code, state in points.items():
        counts = clusters.setdefault(code.split(".")[0], [0, 0])
        counts[0] += 1
        counts[1] += state == NON_COMPLIANT
    public = {
        finding["question"]: finding["answer"]
        for finding in findings
        if finding["publicly_reported"] and finding["answer"] in APPLICABLE
    }
    visit = snapshot["assessment"]
    return {
        "clusters": clusters,
        "points": points,
        "public_issues": public,
        "noncompliant_questions": [f["question"] for f in findings if f["answer"] == NON_COMPLIANT],
        "compliant_questions": [f["question"] for f in findings if f["answer"] == COMPLIANT],
        "public_noncompliant": sum(answer == NON_COMPLIANT for answer in public.values()),
        "workers_total": visit.get("workers_total"),
        "workers_female": visit.get("workers_female"),
    }


def cluster_score(applicable, noncompliant):
    return (applicable - noncompliant) / applicable if applicable else None


def percentile(sorted_scores, score):
    """Share of the period's factories scoring at or below this score."""
    if score is None or not sorted_scores:
        return None
    return bisect_right(sorted_scores, score) / len(sorted_scores)


def point_changes(before, now):
    """{point: "remediated" | "persistent" | "new"} between two visits' applicable point states."""
    changes = {}
    for point in set(before) | set(now):
        was, is_now = before.get(point), now.get(point)
        if was == NON_COMPLIANT and is_now == COMPLIANT:
            changes[point] = "remediated"
        elif was == NON_COMPLIANT and is_now == NON_COMPLIANT:
            changes[point] = "persistent"
        elif is_now == NON_COMPLIANT:
            changes[point] = "new"
    return changes


def mean_and_sd(values):
    """Population mean and standard deviation of the period's public non-compliance counts."""
    values = list(values)
    if not values:
        return 0.0, 0.0
    return statistics.fmean(values), statistics.pstdev(values)


def is_low_compliance(visit, published_visits, mean, sd, rule):
    """At least N assessments, and the latest's public non-compliance more than K standard deviations
    above the industry mean of the period."""
    return (
        published_visits >= rule.low_min_assessments and visit.public_noncompliant > mean + rule.low_sd_above_mean * sd
    )


def low_compliance_threshold(mean, sd, rule):
    return mean + rule.low_sd_above_mean * sd


def is_high_performing(visit, has_active_committee, rule):
    """No public non-compliance in the last N assessments (and an active committee, if the rule asks)."""
    return visit.clean_streak >= rule.high_clean_assessments and (
        has_active_committee or not rule.high_requires_committee
    )
