"""Did factories that took a programme reduce non-compliance more than similar factories that did not?

Definitions (one each; the page, the CSV and the tests use these and nothing else):

- Counted assessments: published ones (approved, or approved and being corrected) of type assessment or
  low-compliance joint visit. Follow-up visits are left out: they re-check earlier findings only.
- Non-compliance rate of an assessment = non-compliant compliance points / applicable compliance points.
  A compliance point is applicable when at least one of its questions was answered compliant or
  non-compliant, and non-compliant when at least one was answered non-compliant (as in docs/domain.md).
- A factory took the programme when at least one of its participants was present on a day of a session of
  one of the programme's modules. Its programme period runs from the first day of the first such session
  (start) to the last day of the last such session (end).
- Before = the factory's last counted assessment whose last visit day is before start; after = its first
  counted assessment whose first visit day is after end. Change = after rate - before rate (below zero is
  an improvement). A factory lacking either, or whose assessment has no applicable point, is excluded.
- Similar factories: same sector and same size band, each factory's band read from its latest workforce
  snapshot on or before the trained factory's start (bands: under 500, 500-1,499, 1,500-4,999, 5,000 and
  more workers; without a snapshot the band is unknown, similar only to unknown).
- Comparison: for each trained factory, every similar factory that never enrolled (withdrawn enrolments
  aside) in a session of the programme and that has a before and an after assessment around the same start
  and end. The trained factory's comparison change is the mean change of its comparison factories.
- Matched = trained factories with a before, an after and at least one comparison factory. Over them:
  mean before rate, mean after rate and mean change, for the trained factories and for their comparisons
  (a comparison's figures being its factories' mean), and the difference = mean(trained change -
  comparison change), which equals the trained mean change minus the comparison mean change. Counts are
  given beside the rates: factories, distinct comparison factories, comparison pairs, and summed
  non-compliant and applicable compliance points (a comparison factory counts once per pair).
"""

import csv
import io
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment, Finding
from ims.core.spreadsheets import csv_row
from ims.factories.models import Factory, WorkforceSnapshot
from ims.training.models import Attendance, Enrolment

COUNTED_TYPES = (Assessment.Type.ASSESSMENT, Assessment.Type.LOW_COMPLIANCE_JOINT)
SIZE_BANDS = (  # (lowest head count, code, label)
    (0, "under_500", _("under 500 workers")),
    (500, "500_1499", _("500 to 1,499 workers")),
    (1500, "1500_4999", _("1,500 to 4,999 workers")),
    (5000, "5000_plus", _("5,000 workers and more")),
)
UNKNOWN_BAND = "unknown"
BAND_LABELS = {code: label for _low, code, label in SIZE_BANDS} | {UNKNOWN_BAND: _("size unknown")}
RATE_BATCH = 500  # assessments per findings query


def size_band(workers):
    if workers is None:
        return UNKNOWN_BAND
    return [code for low, code, _label in SIZE_BANDS if workers >= low][-1]


@dataclass(frozen=True)
class Measure:
    assessment_ref: str
    visit_start: object
    visit_end: object
    noncompliant: int
    applicable: int

    @property
    def rate(self):
        return self.noncompliant / self.applicable


@dataclass
class Comparison:
    factory_ref: str
    before: Measure
    after: Measure

    @property
    def change(self):
        return self.after.rate - self.before.rate


@dataclass
class TrainedFactory:
    factory: Factory
    band: str
    start: object
    end: object
    before: Measure | None = None
    after: Measure | None = None
    comparisons: list = field(default_factory=list)

    @property
    def status(self):
        if self.before is None:
            return "no_before"
        if self.after is None:
            return "no_after"
        return "matched" if self.comparisons else "no_comparison"

    @property
    def change(self):
        return self.after.rate - self.before.rate if self.before and self.after else None

    @property
    def comparison_before_rate(self):
        return fmean(c.before.rate for c in self.comparisons) if self.comparisons else None

    @property
    def comparison_after_rate(self):
        return fmean(c.after.rate for c in self.comparisons) if self.comparisons else None

    @property
    def comparison_change(self):
        return fmean(c.change for c in self.comparisons) if self.comparisons else None

    @property
    def difference(self):
        return self.change - self.comparison_change if self.status == "matched" else None


STATUS_LABELS = {
    "matched": _("Compared"),
    "no_before": _("No assessment before the programme"),
    "no_after": _("No assessment after the programme"),
    "no_comparison": _("No similar factory to compare with"),
}


@dataclass
class ProgrammeImpact:
    programme: object
    factories: list  # TrainedFactory, one per factory that took the programme

    @property
    def matched(self):
        return [trained for trained in self.factories if trained.status == "matched"]

    @property
    def with_before_and_after(self):
        return sum(1 for trained in self.factories if trained.change is not None)

    @property
    def comparison_factories(self):
        return len({c.factory_ref for trained in self.matched for c in trained.comparisons})

    @property
    def comparison_pairs(self):
        return sum(len(trained.comparisons) for trained in self.matched)

    def _mean(self, values):
        values = list(values)
        return fmean(values) if values else None

    def summary(self):
        matched = self.matched
        pairs = [c for trained in matched for c in trained.comparisons]
        return {
            "trained": len(self.factories),
            "with_before_and_after": self.with_before_and_after,
            "matched": len(matched),
            "comparison_factories": self.comparison_factories,
            "comparison_pairs": len(pairs),
            "trained_before_rate": self._mean(t.before.rate for t in matched),
            "trained_after_rate": self._mean(t.after.rate for t in matched),
            "trained_change": self._mean(t.change for t in matched),
            "comparison_before_rate": self._mean(t.comparison_before_rate for t in matched),
            "comparison_after_rate": self._mean(t.comparison_after_rate for t in matched),
            "comparison_change": self._mean(t.comparison_change for t in matched),
            "difference": self._mean(t.difference for t in matched),
            "trained_before_noncompliant": sum(t.before.noncompliant for t in matched),
            "trained_before_applicable": sum(t.before.applicable for t in matched),
            "trained_after_noncompliant": sum(t.after.noncompliant for t in matched),
            "trained_after_applicable": sum(t.after.applicable for t in matched),
            "comparison_before_noncompliant": sum(c.before.noncompliant for c in pairs),
            "comparison_before_applicable": sum(c.before.applicable for c in pairs),
            "comparison_after_noncompliant": sum(c.after.noncompliant for c in pairs),
            "comparison_after_applicable": sum(c.after.applicable for c in pairs),
        }


def trained_periods(programme):
    """{factory_id: (start, end)} of the sessions of the programme its participants attended."""
    days = (
        Attendance.objects.filter(present=True, participant__enrolment__session__module__programme=programme)
        .exclude(participant__enrolment__status=Enrolment.Status.WITHDRAWN)
        .values_list("participant__enrolment__factory_id", "participant__enrolment__session__start_date",
                     "participant__enrolment__session__end_date")
        .distinct()
    )  # fmt: skip
    periods = {}
    for factory_id, start, end in days:
        first, last = periods.get(factory_id, (start, end))
        periods[factory_id] = (min(first, start), max(last, end))
    return periods


class _Timeline:
    """A factory's counted assessments in date order, to find the one before and the one after a period."""

    def __init__(self, rows):
        self.by_end = sorted(rows, key=lambda row: (row["visit_end"], row["visit_start"], row["pk"]))
        self.ends = [row["visit_end"] for row in self.by_end]
        self.by_start = sorted(rows, key=lambda row: (row["visit_start"], row["visit_end"], row["pk"]))
        self.starts = [row["visit_start"] for row in self.by_start]

    def before(self, day):
        index = bisect_left(self.ends, day)
        return self.by_end[index - 1] if index else None

    def after(self, day):
        index = bisect_right(self.starts, day)
        return self.by_start[index] if index < len(self.by_start) else None


def _band_at(snapshots, day):
    """Size band from the latest snapshot on or before the day; snapshots = ([as_of...], [workers...])."""
    dates, workers = snapshots
    index = bisect_right(dates, day)
    return size_band(workers[index - 1]) if index else UNKNOWN_BAND


def assessment_rates(assessment_ids):
    """{assessment id: (non-compliant points, applicable points)} computed from the findings."""
    points = defaultdict(lambda: [0, 0])
    ids = sorted(assessment_ids)
    for offset in range(0, len(ids), RATE_BATCH):
        rows = (
            Finding.objects.filter(assessment_id__in=ids[offset : offset + RATE_BATCH])
            .values("assessment_id", "question__compliance_point_id")
            .annotate(
                noncompliant=Count("pk", filter=Q(answer=Answer.NON_COMPLIANT)),
                answered=Count("pk", filter=Q(answer__in=[Answer.COMPLIANT, Answer.NON_COMPLIANT])),
            )
        )
        for row in rows:
            counts = points[row["assessment_id"]]
            counts[0] += row["noncompliant"] > 0
            counts[1] += row["answered"] > 0
    return {assessment_id: tuple(counts) for assessment_id, counts in points.items()}


def programme_impact(programme):
    periods = trained_periods(programme)
    enrolled = set(
        Enrolment.objects.filter(session__module__programme=programme)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values_list("factory_id", flat=True)
    )
    trained_factories = Factory.objects.in_bulk(periods)
    sectors = {factory.sector for factory in trained_factories.values()}
    candidates = list(Factory.objects.filter(sector__in=sectors).exclude(pk__in=enrolled).only("pk", "ref", "sector"))
    involved = set(periods) | {factory.pk for factory in candidates}
    timelines, snapshots = _load_histories(involved)

    chosen = {}  # (factory id, start, end) -> (before row, after row)
    for factory_id, (start, end) in periods.items():
        chosen[(factory_id, start, end)] = _around(timelines.get(factory_id), start, end)
        for candidate in candidates:
            if candidate.sector == trained_factories[factory_id].sector:
                chosen.setdefault((candidate.pk, start, end), _around(timelines.get(candidate.pk), start, end))
    rates = assessment_rates({row["pk"] for pair in chosen.values() for row in pair if row})

    def measure(row):
        if row is None or not rates.get(row["pk"], (0, 0))[1]:
            return None
        noncompliant, applicable = rates[row["pk"]]
        return Measure(row["ref"], row["visit_start"], row["visit_end"], noncompliant, applicable)

    results = []
    for factory_id, (start, end) in sorted(periods.items(), key=lambda item: trained_factories[item[0]].ref):
        factory = trained_factories[factory_id]
        band = _band_at(snapshots[factory_id], start)
        before, after = (measure(row) for row in chosen[(factory_id, start, end)])
        trained = TrainedFactory(factory=factory, band=band, start=start, end=end, before=before, after=after)
        if before and after:
            for candidate in candidates:
                if candidate.sector != factory.sector or _band_at(snapshots[candidate.pk], start) != band:
                    continue
                their_before, their_after = (measure(row) for row in chosen[(candidate.pk, start, end)])
                if their_before and their_after:
                    trained.comparisons.append(Comparison(candidate.ref, their_before, their_after))
        results.append(trained)
    return ProgrammeImpact(programme=programme, factories=results)


def _load_histories(factory_ids):
    rows = defaultdict(list)
    for row in Assessment.objects.filter(
        factory_id__in=factory_ids, status__in=PUBLISHED_STATUSES, type__in=COUNTED_TYPES
    ).values("pk", "ref", "factory_id", "visit_start", "visit_end"):
        rows[row["factory_id"]].append(row)
    snapshots = defaultdict(lambda: ([], []))
    for factory_id, as_of, workers in (
        WorkforceSnapshot.objects.filter(factory_id__in=factory_ids)
        .order_by("factory_id", "as_of")
        .values_list("factory_id", "as_of", "workers_total")
    ):
        snapshots[factory_id][0].append(as_of)
        snapshots[factory_id][1].append(workers)
    return {factory_id: _Timeline(history) for factory_id, history in rows.items()}, snapshots


def _around(timeline, start, end):
    if timeline is None:
        return (None, None)
    return (timeline.before(start), timeline.after(end))


SUMMARY_COLUMNS = (
    "programme", "trained", "with_before_and_after", "matched", "comparison_factories", "comparison_pairs",
    "trained_before_rate", "trained_after_rate", "trained_change", "comparison_before_rate", "comparison_after_rate",
    "comparison_change", "difference", "trained_before_noncompliant", "trained_before_applicable",
    "trained_after_noncompliant", "trained_after_applicable", "comparison_before_noncompliant",
    "comparison_before_applicable", "comparison_after_noncompliant", "comparison_after_applicable",
)  # fmt: skip
FACTORY_COLUMNS = (
    "programme", "factory_ref", "factory_name", "sector", "size_band", "programme_start", "programme_end", "status",
    "before_assessment", "before_visit_end", "before_noncompliant", "before_applicable", "before_rate",
    "after_assessment", "after_visit_start", "after_noncompliant", "after_applicable", "after_rate", "change",
    "comparison_factories", "comparison_before_rate", "comparison_after_rate", "comparison_change", "difference",
)  # fmt: skip


def _number(value):
    return "" if value is None else (f"{value:.4f}" if isinstance(value, float) else value)


def _write(columns, rows):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(csv_row(_number(row.get(column)) for column in columns))
    return output.getvalue()


def summary_csv(programmes):
    """One row per programme; rates as fractions with four decimals, empty when there is nothing to compare."""
    return _write(SUMMARY_COLUMNS, ({"programme": p.code, **programme_impact(p).summary()} for p in programmes))


def factories_csv(result):
    """One row per factory that took the programme, compared or with the reason it could not be."""

    def row(trained):
        before, after = trained.before, trained.after
        return {
            "programme": result.programme.code,
            "factory_ref": trained.factory.ref,
            "factory_name": trained.factory.name_en,
            "sector": trained.factory.sector,
            "size_band": trained.band,
            "programme_start": trained.start.isoformat(),
            "programme_end": trained.end.isoformat(),
            "status": trained.status,
            "before_assessment": before.assessment_ref if before else None,
            "before_visit_end": before.visit_end.isoformat() if before else None,
            "before_noncompliant": before.noncompliant if before else None,
            "before_applicable": before.applicable if before else None,
            "before_rate": before.rate if before else None,
            "after_assessment": after.assessment_ref if after else None,
            "after_visit_start": after.visit_start.isoformat() if after else None,
            "after_noncompliant": after.noncompliant if after else None,
            "after_applicable": after.applicable if after else None,
            "after_rate": after.rate if after else None,
            "change": trained.change,
            "comparison_factories": len(trained.comparisons),
            "comparison_before_rate": trained.comparison_before_rate,
            "comparison_after_rate": trained.comparison_after_rate,
            "comparison_change": trained.comparison_change,
            "difference": trained.difference,
        }

    return _write(FACTORY_COLUMNS, (row(trained) for trained in result.factories))
