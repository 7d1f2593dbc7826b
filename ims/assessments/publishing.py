"""Approval publishes an immutable snapshot of the assessment: the report's single source."""

from collections import defaultdict

from django.dispatch import Signal

from ims.assessments.models import Answer, ClusterResult, ReportRevision
from ims.factories.models import WorkforceSnapshot

# Sent inside the approval's transaction: notifications, report generation and statistics queue their
# tasks in it (ims.operations.queue), so the revision and its tasks commit together or not at all.
report_published = Signal()


def point_states(findings):
    """A compliance point is non-compliant if any of its questions is; else compliant if any is;
    not applicable only when none of its questions applies."""
    answers = defaultdict(set)
    for finding in findings:
        answers[finding["compliance_point"]].add(finding["answer"])
    return {code: _point_state(point_answers) for code, point_answers in answers.items()}


def _point_state(answers):
    for answer in (Answer.NON_COMPLIANT, Answer.COMPLIANT, Answer.NOT_ASSESSED):
        if answer in answers:
            return answer.value
    return Answer.NOT_APPLICABLE.value


def factory_snapshot(factory):
    """The factory as its report shows it, frozen with the revision."""
    return {
        "ref": factory.ref,
        "name_en": factory.name_en,
        "name_km": factory.name_km,
        "name_zh": factory.name_zh,
        "sector": factory.sector,
        "province": factory.province.code,
        "district": factory.district.code if factory.district else None,
    }


def build_snapshot(assessment):
    factory = assessment.factory
    findings = [
        {
            "question": finding.question.code,
            "cluster": finding.question.compliance_point.cluster.code,
            "compliance_point": finding.question.compliance_point.code,
            "publicly_reported": finding.question.publicly_reported,
            "answer": finding.answer,
            "note": finding.note,
            "note_language": finding.note_language,
            "finding_id": finding.pk,
            # The photos this revision publishes: one added later, during a correction, is not shown
            # to the factory and its buyers until a revision lists it.
            "evidence": sorted(evidence.pk for evidence in finding.evidence.all()),
        }
        for finding in assessment.findings.select_related("question__compliance_point__cluster").prefetch_related(
            "evidence"
        )
    ]
    return {
        "assessment": {
            "ref": assessment.ref,
            "type": assessment.type,
            "visit_start": assessment.visit_start.isoformat(),
            "visit_end": assessment.visit_end.isoformat(),
            "monitors": [member.user.full_name for member in assessment.team.select_related("user")],
            "interviews": {
                "workers": assessment.interviews_workers,
                "managers": assessment.interviews_managers,
                "union": assessment.interviews_union,
            },
            "workers_total": assessment.workers_total,
            "workers_female": assessment.workers_female,
        },
        "factory": factory_snapshot(factory),
        "checklist_version": assessment.checklist_version.code,
        "findings": findings,
        "compliance_points": point_states(findings),
    }


def published_finding(finding):
    """What the latest published revision says of a finding ({answer, note, note_language, ...}), or None.

    While a correction is under way the finding's row is the working copy: readers outside the
    assessment's workspace are shown this instead.
    """
    revision = finding.assessment.revisions.order_by("-number").first()
    if revision is None:
        return None
    return next((row for row in revision.snapshot["findings"] if row["finding_id"] == finding.pk), None)


def publish(assessment, actor, reason=""):
    last = assessment.revisions.order_by("-number").first()
    revision = ReportRevision.objects.create(
        assessment=assessment,
        number=(last.number + 1) if last else 1,
        reason=reason,
        approved_by=actor,
        snapshot=build_snapshot(assessment),
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


def cluster_scores(compliance_points):
    """{cluster: (applicable, compliant)} counted over compliance points answered either way."""
    counts = defaultdict(lambda: [0, 0])
    for point, state in compliance_points.items():
        if state in (Answer.COMPLIANT, Answer.NON_COMPLIANT):
            cluster = point.split(".")[0]
            counts[cluster][0] += 1
            counts[cluster][1] += state == Answer.COMPLIANT
    return {cluster: tuple(values) for cluster, values in counts.items()}


def _record_cluster_results(revision):
    assessment = revision.assessment
    ClusterResult.objects.filter(revision__assessment=assessment).update(is_current=False)
    ClusterResult.objects.bulk_create(
        ClusterResult(
            revision=revision,
            factory=assessment.factory,
            visit_end=assessment.visit_end,
            cluster=cluster,
            applicable=applicable,
            compliant=compliant,
        )
        for cluster, (applicable, compliant) in cluster_scores(revision.snapshot["compliance_points"]).items()
    )
