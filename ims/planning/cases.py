"""Opening, following and closing low-compliance cases."""

import calendar
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ims import policy
from ims.analytics.models import FactoryStanding
from ims.audit.models import record
from ims.core.dates import require_within, years_from_today
from ims.core.errors import Conflict, Invalid
from ims.planning.models import LowComplianceCase

Outcome = LowComplianceCase.Outcome
IMPROVEMENT_MONTHS = 2


def add_months(day, months):
    """The same day `months` later, or the month's last day when it has fewer days (31 Dec + 2 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require(actor):
    policy.require(actor, "lowcompliance.manage", message=_("Only the programme head runs low-compliance cases."))


@transaction.atomic
def open_case(actor, factory, on=None):
    _require(actor)
    if not FactoryStanding.objects.filter(factory=factory, is_low_compliance=True).exists():
        raise Invalid(_("%(factory)s is not on the low-compliance list.") % {"factory": factory.display_name})
    if LowComplianceCase.objects.filter(factory=factory, outcome=Outcome.OPEN).exists():
        raise Conflict(_("%(factory)s already has an open case.") % {"factory": factory.display_name})
    case = LowComplianceCase.objects.create(factory=factory, opened_on=on or timezone.localdate(), opened_by=actor)
    record(actor, "lowcompliance.opened", case, factory=factory)
    return case


@transaction.atomic
def record_joint_visit(actor, case, visited_on, officials):
    """The joint visit starts the two-month improvement window."""
    _require(actor)
    case = LowComplianceCase.objects.select_for_update().get(pk=case.pk)
    if case.outcome != Outcome.OPEN:
        raise Conflict(_("This case is closed."))
    if visited_on < case.opened_on:
        raise Invalid(_("The joint visit cannot be before the case was opened."))
    require_within(visited_on, _("Joint visit"), latest=years_from_today(1))
    if not officials.strip():
        raise Invalid(_("Name the officials who took part in the joint visit."))
    case.joint_visit_on, case.officials = visited_on, officials.strip()
    case.window_ends_on = add_months(visited_on, IMPROVEMENT_MONTHS)
    case.save(update_fields=["joint_visit_on", "officials", "window_ends_on"])
    record(actor, "lowcompliance.joint_visit", case, factory=case.factory, on=visited_on.isoformat())
    return case


@transaction.atomic
def close_case(actor, case, outcome, closed_on):
    _require(actor)
    case = LowComplianceCase.objects.select_for_update().get(pk=case.pk)
    if case.outcome != Outcome.OPEN:
        raise Conflict(_("This case is closed."))
    if outcome not in (Outcome.IMPROVED, Outcome.NOT_IMPROVED):
        raise Invalid(_("Choose the outcome."))
    if case.window_ends_on is None or closed_on < case.window_ends_on:
        raise Invalid(_("A case is closed once the two-month improvement window after the joint visit has ended."))
    case.outcome, case.closed_on = outcome, closed_on
    case.save(update_fields=["outcome", "closed_on"])
    record(actor, "lowcompliance.closed", case, factory=case.factory, outcome=outcome)
    return case


def cases_to_open():
    """Factories on the low-compliance list without an open case."""
    open_cases = LowComplianceCase.objects.filter(outcome=Outcome.OPEN).values("factory_id")
    return (
        FactoryStanding.objects.filter(is_low_compliance=True)
        .exclude(factory_id__in=open_cases)
        .select_related("factory")
        .order_by("factory__ref")
    )
