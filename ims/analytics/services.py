"""What the analytics pages and the public API read: figures from the pre-computed tables only.

Each function's docstring says what it returns; the indicators are defined in ims.analytics.indicators.
"""

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ims import policy
from ims.accounts.models import User
from ims.advisory.models import Committee
from ims.analytics import indicators
from ims.analytics.aggregates import Catalogue
from ims.analytics.models import (
    AnalyticsState,
    ClassificationRule,
    FactoryStanding,
    IndustryAggregate,
    IndustryYear,
    VisitResult,
)
from ims.assessments.models import Assessment
from ims.checklists.models import ChecklistVersion, Cluster, CompliancePoint, Question
from ims.core.i18n import field_suffix
from ims.factories.models import Factory
from ims.responses.models import ActionPlanItem, Objection

LEVELS = ("cluster", "point", "question", "public")
QUESTION_LISTS = ("noncompliant_questions", "compliant_questions")  # large; only industry refreshes read them
CACHE_SECONDS = 600  # translated names may be corrected; figures change with the version in the key anyway


def aggregates_version() -> str:
    """A stamp that changes whenever the pre-computed tables are refreshed (for caches of drawn charts)."""
    state = AnalyticsState.objects.filter(pk=1).values_list("version", "refreshed_at").first()
    return f"{state[0]}-{state[1].timestamp():.6f}" if state else "0"


def _cached(key, compute):
    """A figure computed once per refresh of the tables (per process): the key carries the version."""
    full_key = f"ims-analytics:{aggregates_version()}:{get_language()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def available_years() -> list[int]:
    return list(IndustryYear.objects.values_list("year", flat=True))


def latest_year() -> int | None:
    return IndustryYear.objects.order_by("-year").values_list("year", flat=True).first()


def _row(aggregate, *extra):
    row = {"code": aggregate.code, "assessed": aggregate.assessed, "noncompliant": aggregate.noncompliant,
           "rate": aggregate.rate}  # fmt: skip
    for name in extra:
        row[name] = getattr(aggregate, name)
    return row


def _employment_row(industry):
    return {
        "year": industry.year,
        "factories": industry.factories_assessed,
        "workers_total": industry.workers_total,
        "workers_female": industry.workers_female,
        "women_share": indicators.share(industry.workers_female, industry.workers_total),
    }


def industry_statistics(year: int) -> dict[str, Any]:
    """Non-compliance per cluster, compliance point, question and public issue in a year."""
    return _cached(f"statistics:{year}", lambda: _industry_statistics(year))


def _industry_statistics(year):
    industry = IndustryYear.objects.defer("cluster_scores").filter(year=year).first()
    aggregates = list(IndustryAggregate.objects.filter(year=year))
    if industry is None:
        aggregates = _empty_aggregates(year)
    by_level = {level: [a for a in aggregates if a.level == level] for level in IndustryAggregate.Level.values}
    questions = [_row(a, "cluster", "point", "publicly_reported") for a in by_level["question"]]
    return {
        "year": year,
        "factories_assessed": industry.factories_assessed if industry else 0,
        "workers_total": industry.workers_total if industry else 0,
        "workers_female": industry.workers_female if industry else 0,
        "women_share": indicators.share(industry.workers_female, industry.workers_total) if industry else None,
        "clusters": [_row(a) for a in by_level["cluster"]],
        "points": [_row(a, "cluster") for a in by_level["point"]],
        "questions": questions,
        "public_issues": [row for row in questions if row["publicly_reported"]],
    }


def _empty_aggregates(year):
    return [
        IndustryAggregate(year=year, level=level, code=entry.code, cluster=entry.cluster, point=entry.point,
                          order=entry.order, publicly_reported=entry.publicly_reported, assessed=0, noncompliant=0)
        for level in IndustryAggregate.Level.values
        for entry in sorted(Catalogue().entries(level).values(), key=lambda entry: entry.order)
    ]  # fmt: skip


def trends(level: str, codes: Iterable[str] | None = None, years: Iterable[int] | None = None) -> dict[str, Any]:
    """Each code's non-compliance year by year; level "public" means the publicly reported questions."""
    if level not in LEVELS:
        raise ValueError(level)
    rows = IndustryAggregate.objects.filter(level="question" if level == "public" else level)
    if level == "public":
        rows = rows.filter(publicly_reported=True)
    if codes:
        rows = rows.filter(code__in=codes)
    if years:
        rows = rows.filter(year__in=years)
    all_years = sorted({row.year for row in rows})
    series: dict[str, list[dict[str, Any]]] = {}
    for row in rows.order_by("order", "year"):
        series.setdefault(row.code, []).append({"year": row.year, "assessed": row.assessed,
                                                "noncompliant": row.noncompliant, "rate": row.rate})  # fmt: skip
    return {"years": all_years, "series": [{"code": code, "points": points} for code, points in series.items()]}


def employment(years: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Workers and share of women, year by year."""
    key = ",".join(map(str, years)) if years else "all"
    return _cached(f"employment:{key}", lambda: _employment(years))


def _employment(years):
    rows = IndustryYear.objects.defer("cluster_scores").all()
    if years:
        rows = rows.filter(year__in=years)
    return [_employment_row(industry) for industry in rows]


def _committee_factory_ids(factory_ids):
    return set(
        Committee.objects.filter(factory_id__in=factory_ids, is_active=True).values_list("factory_id", flat=True)
    )


class _Standing:
    """Which factories of a year the public lists name, from the year's latest visits."""

    def __init__(self, year):
        self.year = year
        self.rule = ClassificationRule.current()
        industry = IndustryYear.objects.defer("cluster_scores").filter(year=year).first()
        self.mean = industry.public_noncompliant_mean if industry else 0.0
        self.sd = industry.public_noncompliant_sd if industry else 0.0
        self.threshold = indicators.low_compliance_threshold(self.mean, self.sd, self.rule)

    def low(self) -> list[VisitResult]:
        rows = VisitResult.objects.period_latest(self.year).filter(
            public_noncompliant__gt=self.threshold, sequence__gte=self.rule.low_min_assessments
        )
        return [visit for visit in rows.select_related("factory")
                if indicators.is_low_compliance(visit, visit.sequence, self.mean, self.sd, self.rule)]  # fmt: skip

    def high(self) -> list[VisitResult]:
        rows = list(
            VisitResult.objects.period_latest(self.year)
            .filter(clean_streak__gte=self.rule.high_clean_assessments)
            .select_related("factory")
        )
        committees = _committee_factory_ids([visit.factory_id for visit in rows])
        return [
            visit for visit in rows if indicators.is_high_performing(visit, visit.factory_id in committees, self.rule)
        ]


def low_compliance_factories(year: int | None = None) -> list[dict[str, Any]]:
    year = year or latest_year()
    if year is None:
        return []
    standing = _Standing(year)
    rows = [
        {"factory": visit.factory, "ref": visit.factory.ref, "public_noncompliant": visit.public_noncompliant,
         "threshold": standing.threshold, "assessments": visit.sequence, "visit_end": visit.visit_end}
        for visit in standing.low()
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (-row["public_noncompliant"], row["factory"].name_en))


def high_performing_factories(year: int | None = None) -> list[dict[str, Any]]:
    year = year or latest_year()
    if year is None:
        return []
    rows = [
        {"factory": visit.factory, "ref": visit.factory.ref, "clean_visits": visit.clean_streak,
         "visit_end": visit.visit_end}
        for visit in _Standing(year).high()
    ]  # fmt: skip
    return sorted(rows, key=lambda row: row["factory"].name_en)


@lru_cache(maxsize=16)
def _public_questions(version_id):
    """(code, cluster) of a version's publicly reported questions: fixed once the version is in use."""
    rows = Question.objects.filter(version_id=version_id, publicly_reported=True)
    return tuple(rows.values_list("code", "compliance_point__cluster__code"))


def factory_public_summary(factory: Factory) -> dict[str, Any] | None:
    """The public summary of a factory: its latest published visit's public issues."""
    visit = (
        VisitResult.objects.filter(factory=factory)
        .select_related("assessment", "revision")
        .only("visit_end", "year", "sequence", "workers_total", "workers_female", "public_issues",
              "public_noncompliant", "assessment__ref", "assessment__checklist_version_id", "revision__number")
        .order_by("-visit_end", "-assessment_id")
        .first()
    )  # fmt: skip
    if visit is None:
        return None
    standing = FactoryStanding.objects.filter(factory=factory).first()
    return {
        "factory": factory,
        "visit_end": visit.visit_end,
        "year": visit.year,
        "assessment_ref": visit.assessment.ref,
        "revision_number": visit.revision.number,
        "workers_total": visit.workers_total,
        "workers_female": visit.workers_female,
        "public_issues": [
            {"code": code, "cluster": cluster, "answer": visit.public_issues.get(code)}
            for code, cluster in _public_questions(visit.assessment.checklist_version_id)
        ],
        "public_noncompliant": visit.public_noncompliant,
        "visits": visit.sequence,
        "is_low_compliance": bool(standing and standing.is_low_compliance),
        "is_high_performing": bool(standing and standing.is_high_performing),
    }


def _check_visible(user, factory):
    policy.require(user, "dashboard.factory", factory, message=_("You may not see this factory's results."))


def _visible_results(user):
    return policy.scope(user, "dashboard.factory", VisitResult.objects, via="factory")


def cluster_codes() -> list[str]:
    version = ChecklistVersion.objects.order_by("-created_at", "-pk").first()
    return list(Cluster.objects.filter(version=version).values_list("code", flat=True)) if version else []


def factory_position(factory: Factory, user: User, year: int | None = None) -> dict[str, Any]:
    """The factory per cluster against the industry of a year: score, average and percentile."""
    _check_visible(user, factory)
    visits = _visible_results(user).filter(factory=factory, latest_in_year=True).defer(*QUESTION_LISTS)
    visit = (visits.filter(year=year) if year else visits.order_by("-visit_end")).first()
    if visit is None:
        return {"factory": factory, "year": year, "visit_end": None, "clusters": []}
    industry = IndustryYear.objects.filter(year=visit.year).first()
    distribution = industry.cluster_scores if industry else {}
    clusters = []
    for code in cluster_codes():
        scores = distribution.get(code, [])
        score = visit.cluster_score(code)
        clusters.append({
            "code": code,
            "score": score,
            "industry_average": sum(scores) / len(scores) if scores else None,
            "percentile": indicators.percentile(scores, score),
            "factories": len(scores),
        })  # fmt: skip
    return {"factory": factory, "year": visit.year, "visit_end": visit.visit_end, "clusters": clusters}


def factory_progress(factory: Factory, user: User) -> dict[str, Any]:
    """Every published visit of the factory with its scores and what changed since the one before."""
    _check_visible(user, factory)
    visits = list(
        _visible_results(user)
        .filter(factory=factory)
        .select_related("assessment")
        .defer(*QUESTION_LISTS)
        .order_by("visit_end", "assessment_id")
    )
    rows: list[dict[str, Any]] = []
    previous: dict[str, str] = {}
    for visit in visits:
        changes: Counter[str] = (
            Counter(indicators.point_changes(previous, visit.points).values()) if rows else Counter()
        )
        rows.append({
            "assessment_ref": visit.assessment.ref,
            "visit_end": visit.visit_end,
            "year": visit.year,
            "public_noncompliant": visit.public_noncompliant,
            "noncompliant_points": sum(state == indicators.NON_COMPLIANT for state in visit.points.values()),
            "applicable_points": len(visit.points),
            "clusters": {code: visit.cluster_score(code) for code in visit.clusters},
            "changes": {change: changes[change] for change in ("remediated", "persistent", "new")},
        })  # fmt: skip
        previous = visit.points
    point_codes = CompliancePoint.objects.order_by("cluster__version", "cluster__order", "order").values_list(
        "code", flat=True
    )
    seen, points = set(), []
    for code in point_codes:
        if code not in seen:
            seen.add(code)
            points.append({"code": code, "history": [visit.points.get(code) for visit in visits]})
    return {"factory": factory, "visits": rows, "points": points}


def buyer_overview(user: User) -> list[dict[str, Any]]:
    """The factories whose reports the user may read, each with its current standing."""
    factories = policy.scope(user, "dashboard.factory", Factory.objects)
    factories = list(factories.select_related("standing").order_by("name_en", "pk"))
    years = {factory.standing.year for factory in factories if _standing(factory)}
    averages = {industry.year: _overall_average(industry) for industry in IndustryYear.objects.filter(year__in=years)}
    rows = []
    for factory in factories:
        standing = _standing(factory)
        rows.append({
            "factory": factory,
            "visit_end": standing.visit_end if standing else None,
            "public_noncompliant": standing.public_noncompliant if standing else None,
            "score": standing.score if standing else None,
            "industry_average": averages.get(standing.year) if standing else None,
            "is_low_compliance": bool(standing and standing.is_low_compliance),
            "is_high_performing": bool(standing and standing.is_high_performing),
        })  # fmt: skip
    return rows


def _standing(factory):
    try:
        return factory.standing
    except FactoryStanding.DoesNotExist:
        return None


def _overall_average(industry):
    """Mean over clusters of the industry's average cluster score: a one-number yardstick."""
    means = [sum(scores) / len(scores) for scores in industry.cluster_scores.values() if scores]
    return sum(means) / len(means) if means else None


def programme_overview(year: int | None = None) -> dict[str, Any]:
    year = year or latest_year() or timezone.localdate().year
    industry = IndustryYear.objects.defer("cluster_scores").filter(year=year).first()
    today = timezone.localdate()
    return {
        "year": year,
        "factories_registered": Factory.objects.count(),
        "factories_active": Factory.objects.filter(status=Factory.Status.ACTIVE).count(),
        "assessments_by_status": dict(
            Assessment.objects.order_by()
            .values_list("status")
            .annotate(count=Count("pk"))
            .values_list("status", "count")
        ),
        "published_in_year": VisitResult.objects.filter(year=year).count(),
        "factories_assessed": industry.factories_assessed if industry else 0,
        "workers_total": industry.workers_total if industry else 0,
        "workers_female": industry.workers_female if industry else 0,
        "low_compliance": len(low_compliance_factories(year)) if industry else 0,
        "high_performing": len(high_performing_factories(year)) if industry else 0,
        "open_objections": Objection.objects.filter(status=Objection.Status.OPEN).count(),
        "overdue_actions": ActionPlanItem.objects.overdue(today).count(),
    }


def names_for(level: str) -> dict[str, str]:
    """{code: name in the active language} of the newest checklist: clusters, points, or question texts
    ("public" gives the publicly reported questions)."""
    if level not in LEVELS:
        raise ValueError(level)
    return _cached(f"names:{level}", lambda: _names_for(level))


def _names_for(level):
    version = ChecklistVersion.objects.order_by("-created_at", "-pk").first()
    if level == "cluster":
        rows = Cluster.objects.filter(version=version)
        return {cluster.code: cluster.name or cluster.name_en for cluster in rows}
    if level == "point":
        rows = CompliancePoint.objects.filter(cluster__version=version)
        return {point.code: point.name or point.name_en for point in rows}
    rows = Question.objects.filter(version=version).only("code", *_text_columns())
    if level == "public":
        rows = rows.filter(publicly_reported=True)
    return {question.code: question.text or question.text_en for question in rows}


def _text_columns():
    return [f"text_{field_suffix(code)}" for code, _name in settings.LANGUAGES]


def factory_public_history(factory: Factory) -> list[dict[str, Any]]:
    """The public issues of each of the factory's published visits, newest first."""
    visits = (
        VisitResult.objects.filter(factory=factory)
        .select_related("assessment", "revision")
        .only("visit_end", "public_issues", "assessment__ref", "revision__number")
    )
    return [
        {"assessment_ref": visit.assessment.ref, "revision_number": visit.revision.number,
         "visit_end": visit.visit_end, "public_issues": visit.public_issues}
        for visit in visits.order_by("-visit_end", "-assessment_id")
    ]  # fmt: skip


COMPLIANCE_BANDS = [
    ("high_performing", gettext_lazy("High-performing")),
    ("no_public_issue", gettext_lazy("No public issue")),
    ("some", gettext_lazy("One or two public issues")),
    ("many", gettext_lazy("Three or more public issues")),
    ("low_compliance", gettext_lazy("Low compliance")),
    ("not_assessed", gettext_lazy("Not assessed yet")),
]


def filter_band(factories: QuerySet[Factory], code: str) -> QuerySet[Factory]:
    """Factories (a queryset) in a compliance band, judged on their latest published visit."""
    lookups: dict[str, dict[str, Any]] = {
        "high_performing": {"standing__is_high_performing": True},
        "no_public_issue": {"standing__public_noncompliant": 0},
        "some": {"standing__public_noncompliant__in": (1, 2)},
        "many": {"standing__public_noncompliant__gte": 3},
        "low_compliance": {"standing__is_low_compliance": True},
        "not_assessed": {"standing__isnull": True},
    }
    if code not in lookups:
        raise ValueError(code)
    return factories.filter(**lookups[code])
