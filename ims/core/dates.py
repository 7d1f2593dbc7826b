"""The range of dates IMS accepts for what people enter: visits, sessions, due dates, expiries, workforce counts.

A date far outside any plausible range is a typing slip or a probe, never a plan: year 1 or 9999 would be
stored and then make every page that walks the days in between (a training session from 0001 to 9999 took
seconds of CPU per anonymous view) or adds a day to it (9999-12-31 + 1 overflows) fail.
"""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ims.core.errors import Invalid

# Before the first programme of this kind (Better Factories Cambodia began in 2001).
EARLIEST = datetime.date(2000, 1, 1)


def years_from_today(years: int) -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def require_within(day: datetime.date, what: str, *, latest: datetime.date, earliest: datetime.date = EARLIEST) -> None:
    """Invalid unless earliest <= day <= latest; `what` names the date for the message."""
    if not earliest <= day <= latest:
        raise Invalid(
            _("%(what)s must be between %(earliest)s and %(latest)s.")
            % {
                "what": what,
                "earliest": formats.date_format(earliest, "SHORT_DATE_FORMAT"),
                "latest": formats.date_format(latest, "SHORT_DATE_FORMAT"),
            }
        )


def require_span(first: datetime.date, last: datetime.date, what: str, *, longest_days: int) -> None:
    """Invalid if the span from first to last (both included) is longer than longest_days."""
    if (last - first).days + 1 > longest_days:
        raise Invalid(_("%(what)s cannot last more than %(days)d days.") % {"what": what, "days": longest_days})
