"""Demo remediation at the demo factory: an earlier visit whose findings the published October visit verifies
(some remediated, some persistent), and corrective actions on both, some overdue. Idempotent.

Runs after seed_demo's assessments (it needs the factory's published report)."""

from datetime import date, timedelta

from django.utils import timezone

from ims.accounts.models import User
from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment
from ims.assessments.workflow import plan_assessment, save_finding, transition
from ims.remediation.verification import verify_factory
from ims.responses.models import ActionPlanItem
from ims.responses.services import add_action, update_action

FACTORY_REF = "KH-0001"
EARLIER_VISIT = date(2026, 4, 7)
REMEDIATED_SINCE = 3  # questions non-compliant in April and compliant in October


def seed(stdout):
    published = Assessment.objects.filter(factory__ref=FACTORY_REF, status__in=PUBLISHED_STATUSES)
    latest = published.order_by("-visit_start").first()
    if latest is None:
        return
    if not published.filter(visit_start__lt=latest.visit_start).exists():
        _earlier_visit(latest)
    factory = latest.factory
    if not ActionPlanItem.objects.filter(finding__assessment__factory=factory).exists():
        _plans(factory)
    verified = verify_factory(factory)
    stdout.write(f"Demo remediation: {verified} non-compliance(s) verified at {FACTORY_REF}")


def _earlier_visit(latest):
    """April's findings: half of October's non-compliances already there (persistent), plus a few fixed since."""
    head = User.objects.get(email="head@ims.demo")
    monitor = User.objects.get(email="monitor@ims.demo")
    october = dict(latest.findings.values_list("question__code", "answer"))
    noncompliant_in_october = sorted(code for code, answer in october.items() if answer == Answer.NON_COMPLIANT)
    compliant_in_october = sorted(code for code, answer in october.items() if answer == Answer.COMPLIANT)
    noncompliant = set(noncompliant_in_october[::2]) | set(compliant_in_october[5 : 5 + REMEDIATED_SINCE * 40 : 40])
    visit = plan_assessment(
        factory=latest.factory, version=latest.checklist_version, actor=head, visit_start=EARLIER_VISIT,
        visit_end=EARLIER_VISIT + timedelta(days=1), monitors=[monitor],
    )  # fmt: skip
    transition(visit, "start", monitor)
    for code, answer in october.items():
        if code in noncompliant:
            answer = Answer.NON_COMPLIANT
        elif answer == Answer.NON_COMPLIANT:
            answer = Answer.COMPLIANT
        note = "Seen on the April walk-through." if answer == Answer.NON_COMPLIANT else ""
        save_finding(visit, question_code=code, answer=answer, note=note, actor=monitor)
    transition(visit, "submit", monitor)
    transition(visit, "approve", head)


def _plans(factory):
    manager = User.objects.get(email="factory@ims.demo")
    today = timezone.localdate()
    visits = Assessment.objects.filter(factory=factory, status__in=PUBLISHED_STATUSES).order_by("visit_start")
    for number, visit in enumerate(visits):
        findings = visit.findings.filter(answer=Answer.NON_COMPLIANT).select_related("question")
        for index, finding in enumerate(findings[:4]):
            if number == 0:  # the earlier visit: a month to act, mostly done by now
                due, status = visit.visit_end + timedelta(days=30 + 7 * index), "done" if index % 2 == 0 else "planned"
            else:
                due, status = today + timedelta(days=(-10, 30, 60, -3)[index]), ("planned", "in_progress")[index % 2]
            item = add_action(
                finding, manager, f"Correct {finding.question.code} and train the supervisors concerned.",
                "HR manager", due,
            )  # fmt: skip
            if status != ActionPlanItem.Status.PLANNED:
                update_action(item, manager, item.row_version, status=status, note="Work started with the committee.")
