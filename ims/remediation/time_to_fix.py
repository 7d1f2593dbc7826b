"""Public time-to-fix: for each publicly reported issue, the median days from a finding to its verified
remediation, by the year the remediation was verified.

A finding's days run from the last day of the visit that found it to the last day of the later visit
that found it remediated (ims.remediation.verification); a persistent finding is not counted until a
visit finds it remediated.
"""

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from ims.remediation.models import Outcome, Verification


@dataclass(frozen=True)
class TimeToFix:
    year: int
    question: str
    remediated: int
    median_days: float


def time_to_fix(year=None):
    """[TimeToFix] by year and question code, in that order."""
    rows = Verification.objects.filter(outcome=Outcome.REMEDIATED, finding__question__publicly_reported=True)
    if year is not None:
        rows = rows.filter(verified_at_visit__visit_end__year=year)
    days = defaultdict(list)
    for code, found_on, verified_on in rows.values_list(
        "finding__question__code", "finding__assessment__visit_end", "verified_at_visit__visit_end"
    ):
        days[(verified_on.year, code)].append((verified_on - found_on).days)
    return [TimeToFix(key[0], key[1], len(values), median(values)) for key, values in sorted(days.items())]
