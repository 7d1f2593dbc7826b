"""Verification of each non-compliance at a later visit, from the published reports.

A non-compliant finding is verified by the first later published visit of the factory that assessed
the same question (answered compliant or non-compliant): remediated if compliant there, persistent if
not. A later visit that did not assess the question (a follow-up limited to some clusters) leaves it
awaiting the next one. The comparison itself is the reports' progress rule (ims.reports.analysis.change), applied per
question instead of per compliance point, so a report and the tracker never disagree.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery

from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment, ReportRevision
from ims.assessments.snapshot import of_revision
from ims.audit.models import record
from ims.remediation.models import Outcome, Verification
from ims.remediation.time_to_fix import refresh_time_to_fix
from ims.reports.analysis import change


@dataclass
class PublishedVisit:
    assessment: Assessment
    revision: ReportRevision


def published_visits(factory):
    """The factory's published assessments with their current revisions, oldest visit first."""
    latest = ReportRevision.objects.filter(assessment=OuterRef("assessment")).order_by("-number").values("number")
    revisions = ReportRevision.objects.filter(
        assessment__factory=factory, assessment__status__in=PUBLISHED_STATUSES, number=Subquery(latest[:1])
    ).select_related("assessment")
    visits = [PublishedVisit(revision.assessment, revision) for revision in revisions]
    return sorted(visits, key=lambda visit: _chronological(visit.assessment))


def _chronological(assessment):
    return assessment.visit_start, assessment.visit_end, assessment.pk


def noncompliant_findings(revision):
    """{question code: finding id} of the revision's non-compliant findings."""
    return {
        finding["question"]: finding["finding_id"]
        for finding in of_revision(revision)["findings"]
        if finding["answer"] == Answer.NON_COMPLIANT
    }


def _answers(revision):
    return {finding["question"]: finding["answer"] for finding in of_revision(revision)["findings"]}


def outcomes(visits):
    """{finding id: (Outcome, verifying Assessment)} for every non-compliance a later visit verified."""
    verified = {}
    for index, visit in enumerate(visits):
        awaiting = noncompliant_findings(visit.revision)
        for later in visits[index + 1 :]:
            if not awaiting:
                break
            if later.assessment.visit_start <= visit.assessment.visit_end:
                continue  # overlapping visits do not verify each other
            answers = _answers(later.revision)
            for question in list(awaiting):
                outcome = change(Answer.NON_COMPLIANT, answers.get(question))
                if outcome in Outcome.values:
                    verified[awaiting.pop(question)] = (Outcome(outcome), later.assessment)
    return verified


@transaction.atomic
def verify_factory(factory):
    """Bring the factory's stored verifications in line with its published reports; returns the count stored.

    Every change is an audit event of the system (no actor): a correction of a later report can
    turn a remediated finding back into a persistent one, and the log shows when."""
    found = outcomes(published_visits(factory))
    stored = {
        verification.finding_id: verification
        for verification in Verification.objects.select_for_update().filter(finding__assessment__factory=factory)
    }
    for finding_id, verification in stored.items():
        if finding_id not in found:
            record(None, "remediation.verification_withdrawn", verification, factory=factory, finding=finding_id)
            verification.delete()
    changed = any(finding_id not in found for finding_id in stored)
    for finding_id, (outcome, assessment) in found.items():
        verification = stored.get(finding_id)
        if verification and (verification.outcome, verification.verified_at_visit_id) == (outcome, assessment.pk):
            continue
        changed = True
        verification, _created = Verification.objects.update_or_create(
            finding_id=finding_id, defaults={"outcome": outcome, "verified_at_visit": assessment}
        )
        record(None, f"remediation.{outcome}", verification, factory=factory, finding=finding_id, visit=assessment.ref)
    if changed:
        refresh_time_to_fix()
    return len(found)
