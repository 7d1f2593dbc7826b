"""Approval publishes an immutable snapshot of the assessment: the report's single source."""

from collections import defaultdict
from collections.abc import Mapping

from django.dispatch import Signal

from ims.accounts.models import User
from ims.assessments import snapshot
from ims.assessments.models import Answer, Assessment, ClusterResult, Finding, ReportRevision
from ims.factories.models import WorkforceSnapshot

# Sent inside the approval's transaction: notifications, report generation and statistics queue their
# tasks in it (ims.operations.queue), so the revision and its tasks commit together or not at all.
report_published = Signal()


def published_finding(finding: Finding) -> snapshot.FindingRow | None:
    """What the latest published revision says of a finding ({answer, note, note_language, ...}), or None.

    While a correction is under way the finding's row is the working copy: readers outside the
    assessment's workspace are shown this instead.
    """
    revision = finding.assessment.revisions.order_by("-number").first()
    if revision is None:
        return None
    return next((row for row in snapshot.of_revision(revision)["findings"] if row["finding_id"] == finding.pk), None)


def publish(assessment: Assessment, actor: User, reason: str = "") -> ReportRevision:
    last = assessment.revisions.order_by("-number").first()
    revision = ReportRevision.objects.create(
        assessment=assessment,
        number=(last.number + 1) if last else 1,
        reason=reason,
        approved_by=actor,
        snapshot=snapshot.of_assessment(assessment),
    )
    _record_cluster_results(revision)
    if assessment.workers_total is not None and assessment.workers_female is not None:
        WorkforceSnapshot.objects.update_or_create(
            factory=assessment.factory,
            as_of=assessment.visit_end,
            defaults={
                "workers_total": assessment.workers_total,
                "workers_female": assessment.workers_female,
                "source": WorkforceSnapshot.Source.ASSESSMENT,
            },
        )
    report_published.send(sender=ReportRevision, revision=revision)
    return revision


def cluster_scores(compliance_points: Mapping[str, str]) -> dict[str, tuple[int, int]]:
    """{cluster: (applicable, compliant)} counted over compliance points answered either way."""
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for point, state in compliance_points.items():
        if state in (Answer.COMPLIANT, Answer.NON_COMPLIANT):
            cluster = point.split(".")[0]
            counts[cluster][0] += 1
            counts[cluster][1] += state == Answer.COMPLIANT
    return {cluster: (applicable, compliant) for cluster, (applicable, compliant) in counts.items()}


def _record_cluster_results(revision):
    assessment = revision.assessment
    ClusterResult.objects.filter(revision__assessment=assessment).update(is_current=False)
    scores = cluster_scores(snapshot.of_revision(revision)["compliance_points"])
    ClusterResult.objects.bulk_create(
        ClusterResult(
            revision=revision,
            factory=assessment.factory,
            visit_end=assessment.visit_end,
            cluster=cluster,
            applicable=applicable,
            compliant=compliant,
        )
        for cluster, (applicable, compliant) in scores.items()
    )
