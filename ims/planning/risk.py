"""Which factory to visit next: a transparent risk score per factory, with each factor's share.

Seven factors, each read from data the programme already keeps and scaled to 0-1, then weighted (the
weights add up to 100, so a score is out of 100):

- public non-compliance at the last visit: publicly reported issues non-compliant there (5 or more: 1);
- persistence: of those, the ones already non-compliant at the visit before (3 or more: 1);
- overdue corrective actions (5 or more: 1);
- time since the last visit (a year or more, or never: 1);
- worker voice: the highest share of problem answers in a shown campaign result of the last six
  months, and 1 after a grievance alert in the last three months;
- readings: days with a noise or heat breach in the last 30 days (10 or more: 1);
- low-compliance status: on the public list, or with an open case: 1.

The ranking page shows every factor's points and share of the score, and the figures behind it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ims.analytics.models import FactoryStanding, VisitResult
from ims.factories.models import Factory
from ims.planning.models import LowComplianceCase
from ims.readings.models import Breach
from ims.remediation.services import overdue_items
from ims.voice.models import Alert, Campaign
from ims.voice.services import campaign_results

PUBLIC = "public_noncompliance"
PERSISTENCE = "persistence"
OVERDUE = "overdue_actions"
TIME = "time_since_visit"
VOICE = "worker_voice"
READINGS = "readings"
LOW = "low_compliance"
WEIGHTS = {PUBLIC: 25, PERSISTENCE: 15, OVERDUE: 15, TIME: 10, VOICE: 15, READINGS: 10, LOW: 10}
LABELS = {
    PUBLIC: _("Public issues at the last visit"),
    PERSISTENCE: _("Persistence across visits"),
    OVERDUE: _("Overdue corrective actions"),
    TIME: _("Time since the last visit"),
    VOICE: _("Worker voice"),
    READINGS: _("Remote readings"),
    LOW: _("Low-compliance status"),
}
FULL_PUBLIC, FULL_PERSISTENT, FULL_OVERDUE, FULL_BREACH_DAYS = 5, 3, 5, 10
FULL_DAYS_SINCE_VISIT = 365
VOICE_WINDOW, ALERT_WINDOW, BREACH_WINDOW = timedelta(days=183), timedelta(days=91), timedelta(days=30)


@dataclass
class Factor:
    key: str
    level: float  # 0-1
    detail: str
    points: float = 0.0
    share: float = 0.0

    @property
    def label(self):
        return LABELS[self.key]

    @property
    def weight(self):
        return WEIGHTS[self.key]


@dataclass
class FactoryRisk:
    factory: Factory
    score: float = 0.0
    factors: list = field(default_factory=list)
    position: int = 0  # in the ranking of every factory ranked together, 1 the highest score

    def factor(self, key):
        return next(factor for factor in self.factors if factor.key == key)

    @property
    def reasons(self):
        """The factors that add to the score, largest first."""
        return sorted((factor for factor in self.factors if factor.points), key=lambda factor: -factor.points)


def _capped(count, full):
    return min(1.0, count / full)


def _last_two_visits(factory_ids):
    visits = defaultdict(list)
    rows = VisitResult.objects.filter(factory_id__in=factory_ids).order_by("factory_id", "-visit_end", "-assessment_id")
    for visit in rows.only("factory_id", "visit_end", "public_issues", "public_noncompliant", "assessment_id"):
        if len(visits[visit.factory_id]) < 2:
            visits[visit.factory_id].append(visit)
    return visits


def _noncompliant_public(visit):
    return {code for code, answer in visit.public_issues.items() if answer == "non_compliant"}


def _voice_signals(factory_ids, today):
    shares = defaultdict(float)
    for campaign in Campaign.objects.filter(factory_id__in=factory_ids, ends_on__gte=today - VOICE_WINDOW):
        for result in campaign_results(campaign):
            if result.shown:
                shares[campaign.factory_id] = max(shares[campaign.factory_id], result.problem_share)
    alerts = Counter(
        Alert.objects.filter(factory_id__in=factory_ids, raised_at__gte=timezone.now() - ALERT_WINDOW).values_list(
            "factory_id", flat=True
        )
    )
    return shares, alerts


def rank(factories=None, today=None):
    """[FactoryRisk], highest score first (ties by reference), for the given factories or every open one."""
    today = today or timezone.localdate()
    factories = list(factories if factories is not None else Factory.objects.exclude(status=Factory.Status.CLOSED))
    ids = [factory.pk for factory in factories]
    visits = _last_two_visits(ids)
    overdue = dict(
        overdue_items(today)
        .filter(finding__assessment__factory_id__in=ids)
        .values_list("finding__assessment__factory_id")
        .annotate(count=Count("pk"))
    )
    shares, alerts = _voice_signals(ids, today)
    breach_days = dict(
        Breach.objects.filter(factory_id__in=ids, day__gte=today - BREACH_WINDOW)
        .values_list("factory_id")
        .annotate(days=Count("day", distinct=True))
    )
    listed = set(
        FactoryStanding.objects.filter(factory_id__in=ids, is_low_compliance=True).values_list("factory_id", flat=True)
    )
    open_cases = set(
        LowComplianceCase.objects.filter(factory_id__in=ids, outcome=LowComplianceCase.Outcome.OPEN).values_list(
            "factory_id", flat=True
        )
    )
    risks = []
    for factory in factories:
        factors = [
            *_visit_factors(visits.get(factory.pk, []), today),
            _overdue_factor(overdue.get(factory.pk, 0)),
            _voice_factor(shares.get(factory.pk, 0.0), alerts.get(factory.pk, 0)),
            _readings_factor(breach_days.get(factory.pk, 0)),
            _low_factor(factory.pk in listed, factory.pk in open_cases),
        ]
        risks.append(_scored(FactoryRisk(factory, factors=factors)))
    ranked = sorted(risks, key=lambda risk: (-risk.score, risk.factory.ref))
    for position, risk in enumerate(ranked, start=1):
        risk.position = position
    return ranked


def _scored(risk):
    for factor in risk.factors:
        factor.points = round(factor.weight * factor.level, 1)
    risk.score = round(sum(factor.points for factor in risk.factors), 1)
    for factor in risk.factors:
        factor.share = factor.points / risk.score if risk.score else 0.0
    return risk


def _visit_factors(visits, today):
    if not visits:
        return [
            Factor(PUBLIC, 0.0, str(_("Never visited"))),
            Factor(PERSISTENCE, 0.0, str(_("Never visited"))),
            Factor(TIME, 1.0, str(_("Never visited"))),
        ]
    last = visits[0]
    found = _noncompliant_public(last)
    persistent = found & _noncompliant_public(visits[1]) if len(visits) > 1 else set()
    days = (today - last.visit_end).days
    return [
        Factor(PUBLIC, _capped(len(found), FULL_PUBLIC),
               ngettext("%(count)d public issue non-compliant at the visit of %(day)s",
                        "%(count)d public issues non-compliant at the visit of %(day)s", len(found))
               % {"count": len(found), "day": last.visit_end.isoformat()}),
        Factor(PERSISTENCE, _capped(len(persistent), FULL_PERSISTENT),
               ngettext("%(count)d of them non-compliant at the visit before too",
                        "%(count)d of them non-compliant at the visit before too", len(persistent))
               % {"count": len(persistent)} + (f" ({', '.join(sorted(persistent))})" if persistent else "")),
        Factor(TIME, _capped(days, FULL_DAYS_SINCE_VISIT),
               ngettext("%(count)d day since the last visit", "%(count)d days since the last visit", days)
               % {"count": days}),
    ]  # fmt: skip


def _overdue_factor(count):
    detail = ngettext("%(count)d corrective action overdue", "%(count)d corrective actions overdue", count)
    return Factor(OVERDUE, _capped(count, FULL_OVERDUE), detail % {"count": count})


def _voice_factor(share, alerts):
    level = 1.0 if alerts else share
    detail = _("%(percent)d%% of workers signalled a problem on a question") % {"percent": round(share * 100)}
    if alerts:
        detail += "; " + ngettext("%(count)d grievance alert", "%(count)d grievance alerts", alerts) % {"count": alerts}
    return Factor(VOICE, level, str(detail))


def _readings_factor(days):
    detail = ngettext("%(count)d day with a noise or heat breach in 30 days",
                      "%(count)d days with a noise or heat breach in 30 days", days)  # fmt: skip
    return Factor(READINGS, _capped(days, FULL_BREACH_DAYS), detail % {"count": days})


def _low_factor(listed, open_case):
    if open_case:
        return Factor(LOW, 1.0, str(_("Open low-compliance case")))
    if listed:
        return Factor(LOW, 1.0, str(_("On the low-compliance list")))
    return Factor(LOW, 0.0, str(_("Not on the low-compliance list")))
