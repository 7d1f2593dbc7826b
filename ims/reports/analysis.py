"""The comparisons a report makes: with the factory's previous visit and with the industry."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment, ClusterResult
from ims.assessments.publishing import cluster_scores
from ims.assessments.snapshot import of_revision

INDUSTRY_PERIOD = timedelta(days=365)


@dataclass
class ClusterPosition:
    cluster: str
    score: float | None  # share of applicable compliance points that are compliant
    industry_average: float | None
    factories: int  # factories in the industry figure
    percentile: float | None  # share of those factories scoring at or below this one


def industry_positions(revision, cluster_codes):
    """Where the factory stands per cluster among factories assessed in the 12 months to this visit."""
    visit_end = revision.assessment.visit_end
    industry = defaultdict(list)
    for row in ClusterResult.objects.latest_per_factory(visit_end - INDUSTRY_PERIOD, visit_end):
        if row["applicable"]:
            industry[row["cluster"]].append(row["compliant"] / row["applicable"])
    own = cluster_scores(of_revision(revision)["compliance_points"])
    positions = []
    for code in cluster_codes:
        applicable, compliant = own.get(code, (0, 0))
        score = compliant / applicable if applicable else None
        others = industry.get(code, [])
        positions.append(
            ClusterPosition(
                cluster=code,
                score=score,
                industry_average=sum(others) / len(others) if others else None,
                factories=len(others),
                percentile=(sum(1 for other in others if other <= score) / len(others))
                if others and score is not None
                else None,
            )
        )
    return positions


def previous_revision(revision):
    """The current revision of the factory's last published assessment before this one, if any."""
    assessment = revision.assessment
    earlier = (
        Assessment.objects.filter(factory=assessment.factory, status__in=PUBLISHED_STATUSES)
        .filter(visit_end__lt=assessment.visit_start)
        .order_by("-visit_end")
        .first()
    )
    return earlier.current_revision() if earlier else None


def change(was, is_now):
    """remediated, persistent, new or None: how one item (compliance point or question) moved between visits."""
    if was == Answer.NON_COMPLIANT and is_now == Answer.COMPLIANT:
        return "remediated"
    if was == Answer.NON_COMPLIANT and is_now == Answer.NON_COMPLIANT:
        return "persistent"
    if is_now == Answer.NON_COMPLIANT:
        return "new"
    return None


def progress(revision, previous):
    """Per compliance point: remediated, persistent or new non-compliance since the previous visit."""
    if previous is None:
        return {}
    before = of_revision(previous)["compliance_points"]
    now = of_revision(revision)["compliance_points"]
    changes = {point: change(before.get(point), now.get(point)) for point in sorted(set(before) | set(now))}
    return {point: its_change for point, its_change in changes.items() if its_change}
