"""Refreshing the pre-computed tables.

Publishing a revision refreshes its visit, the factory's visit sequence and the industry figures
of the visit's year; an import refreshes the factories and years it touched; `rebuild_all` starts
again from the published snapshots. Industry figures are computed from the year's VisitResult
rows (one per factory), never from findings.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from ims.advisory.models import Committee
from ims.analytics import indicators
from ims.analytics.models import (
    AnalyticsState,
    ClassificationRule,
    FactoryStanding,
    IndustryAggregate,
    IndustryYear,
    VisitResult,
)
from ims.assessments.models import PUBLISHED_STATUSES, ReportRevision
from ims.assessments.snapshot import of_revision
from ims.checklists.models import ChecklistVersion, Question
from ims.factories.models import Factory

BATCH = 500


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    cluster: str
    point: str
    order: int
    publicly_reported: bool = False


class Catalogue:
    """Cluster, compliance point and question codes in checklist order: the newest version first,
    codes only found in older versions after them."""

    @cached_property
    def _entries(self):
        clusters, points, questions = {}, {}, {}
        versions = list(ChecklistVersion.objects.order_by("-created_at", "-pk"))
        for rank, version in enumerate(versions):
            base = rank * 10**9
            rows = Question.objects.filter(version=version).values_list(
                "code", "order", "publicly_reported", "compliance_point__code", "compliance_point__order",
                "compliance_point__cluster__code", "compliance_point__cluster__order",
            )  # fmt: skip
            for code, order, public, point, point_order, cluster, cluster_order in rows:
                clusters.setdefault(cluster, CatalogueEntry(cluster, cluster, "", base + cluster_order * 10**6))
                point_key = base + cluster_order * 10**6 + point_order * 10**3
                points.setdefault(point, CatalogueEntry(point, cluster, point, point_key))
                questions.setdefault(code, CatalogueEntry(code, cluster, point, point_key + order, public))
        return {
            IndustryAggregate.Level.CLUSTER: clusters,
            IndustryAggregate.Level.POINT: points,
            IndustryAggregate.Level.QUESTION: questions,
        }

    def entries(self, level):
        return self._entries[level]


def build_visit_result(revision):
    """An unsaved VisitResult for a published revision (the assessment's current one)."""
    assessment = revision.assessment
    return VisitResult(
        factory_id=assessment.factory_id,
        assessment_id=assessment.pk,
        revision=revision,
        visit_end=assessment.visit_end,
        year=indicators.period_of(assessment.visit_end),
        **indicators.visit_figures(of_revision(revision)),
    )


SEQUENCE_FIELDS = ("sequence", "latest_in_year", "clean_streak")
UNSAVED = 10**18  # sorts visits not yet saved after the saved ones of the same day, in file order


@dataclass
class PlannedVisit:
    """What sequencing needs of a visit an import is about to write."""

    factory_id: int
    visit_end: object
    public_noncompliant: int
    line: int
    assessment_id: None = None
    sequence: int = 0
    latest_in_year: bool = False
    clean_streak: int = 0

    @property
    def year(self):
        return indicators.period_of(self.visit_end)


def _visit_order(visit):
    saved_order = visit.assessment_id if visit.assessment_id is not None else UNSAVED
    return visit.visit_end, saved_order, getattr(visit, "line", 0)


def derive_sequences(visits):
    """Set each visit's sequence, latest-in-year flag and clean streak; return the visits that changed.

    `visits` holds every published visit of some factories: VisitResults or PlannedVisits."""
    by_factory = defaultdict(list)
    for visit in visits:
        by_factory[visit.factory_id].append(visit)
    changed = []
    for factory_visits in by_factory.values():
        factory_visits.sort(key=_visit_order)
        streak = 0
        for number, visit in enumerate(factory_visits, start=1):
            streak = streak + 1 if visit.public_noncompliant == 0 else 0
            following = factory_visits[number] if number < len(factory_visits) else None
            values = (number, following is None or following.year != visit.year, streak)
            if tuple(getattr(visit, name) for name in SEQUENCE_FIELDS) != values:
                for name, value in zip(SEQUENCE_FIELDS, values, strict=True):
                    setattr(visit, name, value)
                changed.append(visit)
    return changed


def resequence(factory_ids, planned=()):
    """Derive the sequences of these factories' stored visits together with planned ones; save the stored
    ones that changed and return the years whose industry figures they affect."""
    stored = list(
        VisitResult.objects.filter(factory_id__in=factory_ids).only(
            "pk", "factory_id", "assessment_id", "visit_end", "year", "public_noncompliant", *SEQUENCE_FIELDS
        )
    )
    changed = [visit for visit in derive_sequences(stored + list(planned)) if isinstance(visit, VisitResult)]
    VisitResult.objects.bulk_update(changed, SEQUENCE_FIELDS, batch_size=BATCH)
    return {visit.year for visit in changed}


def refresh_years(years, catalogue=None):
    """The industry figures of these years, then every factory's standing (the years' means moved)."""
    catalogue = catalogue or Catalogue()
    for year in sorted(set(years)):
        refresh_year(year, catalogue)
    refresh_standings()


@transaction.atomic
def refresh_standings():
    """Each assessed factory's standing from its latest published visit, judged against that visit's year."""
    latest = VisitResult.objects.filter(factory=OuterRef("pk")).order_by("-visit_end", "-assessment_id")
    latest_ids = (
        Factory.objects.annotate(latest_visit=Subquery(latest.values("pk")[:1]))
        .filter(latest_visit__isnull=False)
        .values("latest_visit")
    )  # one index probe per factory
    visits = (
        VisitResult.objects.filter(pk__in=latest_ids)
        .select_related("assessment", "revision")
        .only("factory_id", "visit_end", "year", "sequence", "latest_in_year", "clean_streak", "public_noncompliant",
              "clusters", "assessment__ref", "revision__number")
    )  # fmt: skip
    rule = ClassificationRule.current()
    industry = {row.year: row for row in IndustryYear.objects.only("year", "public_noncompliant_mean",
                                                                   "public_noncompliant_sd")}  # fmt: skip
    committees = set(Committee.objects.filter(is_active=True).values_list("factory_id", flat=True))
    standings = []
    for visit in visits.iterator(chunk_size=BATCH):
        year = industry.get(visit.year)
        mean, sd = (year.public_noncompliant_mean, year.public_noncompliant_sd) if year else (0.0, 0.0)
        applicable = sum(counts[0] for counts in visit.clusters.values())
        failed = sum(counts[1] for counts in visit.clusters.values())
        standings.append(
            FactoryStanding(
                factory_id=visit.factory_id,
                visit_end=visit.visit_end,
                year=visit.year,
                assessment_ref=visit.assessment.ref,
                revision_number=visit.revision.number,
                public_noncompliant=visit.public_noncompliant,
                score=indicators.cluster_score(applicable, failed),
                is_low_compliance=indicators.is_low_compliance(visit, visit.sequence, mean, sd, rule),
                is_high_performing=indicators.is_high_performing(visit, visit.factory_id in committees, rule),
            )
        )
    FactoryStanding.objects.all().delete()
    FactoryStanding.objects.bulk_create(standings, batch_size=BATCH)
    bump_version()


def bump_version():
    state, _created = AnalyticsState.objects.get_or_create(pk=1)
    AnalyticsState.objects.filter(pk=state.pk).update(version=F("version") + 1, refreshed_at=timezone.now())


@transaction.atomic
def refresh_year(year, catalogue=None):
    """Industry figures of a year from each factory's latest published visit in it."""
    catalogue = catalogue or Catalogue()
    counts = {level: defaultdict(lambda: [0, 0]) for level in IndustryAggregate.Level.values}
    scores = defaultdict(list)
    public_counts = []
    workers_total = workers_female = with_workforce = 0
    rows = VisitResult.objects.period_latest(year).values_list(
        "clusters", "points", "noncompliant_questions", "compliant_questions", "public_noncompliant",
        "workers_total", "workers_female",
    )  # fmt: skip
    for clusters, points, noncompliant, compliant, public_noncompliant, total, female in rows.iterator(BATCH):
        for code, (applicable, failed) in clusters.items():
            if applicable:
                counts["cluster"][code][0] += 1
                counts["cluster"][code][1] += failed > 0
                scores[code].append(indicators.cluster_score(applicable, failed))
        for code, state in points.items():
            counts["point"][code][0] += 1
            counts["point"][code][1] += state == indicators.NON_COMPLIANT
        for code in noncompliant:
            counts["question"][code][0] += 1
            counts["question"][code][1] += 1
        for code in compliant:
            counts["question"][code][0] += 1
        public_counts.append(public_noncompliant)
        if total is not None and female is not None:
            workers_total += total
            workers_female += female
            with_workforce += 1
    IndustryAggregate.objects.filter(year=year).delete()
    IndustryYear.objects.filter(year=year).delete()
    bump_version()
    if not public_counts:
        return
    IndustryAggregate.objects.bulk_create(
        IndustryAggregate(
            year=year,
            level=level,
            code=code,
            cluster=entry.cluster,
            point=entry.point,
            order=entry.order,
            publicly_reported=entry.publicly_reported,
            assessed=counts[level][code][0],
            noncompliant=counts[level][code][1],
        )
        for level in IndustryAggregate.Level.values
        for code, entry in _with_unknown(catalogue.entries(level), counts[level], level).items()
    )
    mean, sd = indicators.mean_and_sd(public_counts)
    IndustryYear.objects.create(
        year=year,
        factories_assessed=len(public_counts),
        workers_total=workers_total,
        workers_female=workers_female,
        factories_with_workforce=with_workforce,
        public_noncompliant_mean=mean,
        public_noncompliant_sd=sd,
        cluster_scores={code: sorted(values) for code, values in scores.items()},
    )


def _with_unknown(entries, counts, level):
    """Codes counted but missing from every checklist version (cannot happen through the app) still count."""
    missing = {code: CatalogueEntry(code, code.split(".")[0], ".".join(code.split(".")[:2]), 10**12) for code in counts
               if code not in entries}  # fmt: skip
    return {**entries, **missing} if missing else entries


def refresh_for_revision(revision):
    """A revision was published: count it instead of the assessment's earlier revision."""
    with transaction.atomic():
        previous = VisitResult.objects.filter(assessment_id=revision.assessment_id).first()
        years = set()
        if previous is not None:
            years.add(previous.year)
            previous.delete()
        visit = build_visit_result(revision)
        visit.save()
        years |= resequence([visit.factory_id]) | {visit.year}
        refresh_years(years)


def current_revisions():
    """Each published assessment's latest revision."""
    latest = (
        ReportRevision.objects.filter(assessment__status__in=PUBLISHED_STATUSES)
        .values("assessment_id")
        .annotate(number=Max("number"))
    )
    pairs = {(row["assessment_id"], row["number"]) for row in latest}
    revisions = ReportRevision.objects.filter(assessment__status__in=PUBLISHED_STATUSES).select_related("assessment")
    for revision in revisions.order_by("pk").iterator(chunk_size=200):
        if (revision.assessment_id, revision.number) in pairs:
            yield revision


@transaction.atomic
def rebuild_all():
    """Every table again from the published snapshots; returns the number of visits."""
    VisitResult.objects.all().delete()
    IndustryAggregate.objects.all().delete()
    IndustryYear.objects.all().delete()
    batch, count, factory_ids = [], 0, set()
    for revision in current_revisions():
        batch.append(build_visit_result(revision))
        factory_ids.add(revision.assessment.factory_id)
        if len(batch) == BATCH:
            count += len(VisitResult.objects.bulk_create(batch))
            batch = []
    count += len(VisitResult.objects.bulk_create(batch))
    resequence(factory_ids)
    refresh_years(VisitResult.objects.order_by().values_list("year", flat=True).distinct())
    return count
