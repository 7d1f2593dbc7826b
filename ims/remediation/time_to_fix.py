"""Public time-to-fix: for each publicly reported issue, the median days from a finding to its verified
remediation, by the year the remediation was verified.

A finding's days run from the last day of the visit that found it to the last day of the later visit
that found it remediated (ims.remediation.verification); a persistent finding is not counted until a
visit finds it remediated. The figures are kept in PublicTimeToFix, refreshed with the verifications.
"""

from collections import defaultdict
from statistics import median

from django.db import transaction

from ims.remediation.models import Outcome, PublicTimeToFix, Verification


@transaction.atomic
def refresh_time_to_fix():
    """Recompute every year's figures from the verifications (a few thousand rows at most); returns the count."""
    days = defaultdict(list)
    rows = Verification.objects.filter(outcome=Outcome.REMEDIATED, finding__question__publicly_reported=True)
    for code, found_on, verified_on in rows.values_list(
        "finding__question__code", "finding__assessment__visit_end", "verified_at_visit__visit_end"
    ):
        days[(verified_on.year, code)].append((verified_on - found_on).days)
    kept = [
        PublicTimeToFix.objects.update_or_create(
            year=year, question=code, defaults={"remediated": len(values), "median_days": median(values)}
        )[0].pk
        for (year, code), values in sorted(days.items())
    ]
    PublicTimeToFix.objects.exclude(pk__in=kept).delete()
    return len(kept)


def time_to_fix(year=None):
    """The stored figures, by year and question code."""
    rows = PublicTimeToFix.objects.all()
    return rows.filter(year=year) if year is not None else rows
