"""The published report snapshot: what approval froze of an assessment, the single source of its report.

A snapshot is stored as JSON on ReportRevision.snapshot and has the shape of `ReportSnapshot` below
(docs/domain.md describes it field by field). Two ways lead to one: approval (`of_assessment`) and the
import of past assessments (ims.analytics.importing), and both go through `build`. Everything that reads
one (report pages and PDFs, statistics, remediation, the capture app) reads it through `read`.

`schema_version` names the shape. Snapshots published before the key existed have no key and are
version 1, the same shape; a later shape gets a new number and `read` upgrades older ones to it.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, NotRequired, TypedDict, cast

from ims.assessments.models import Answer, Assessment, ReportRevision
from ims.factories.models import Factory

SCHEMA_VERSION = 1
VERSION_KEY = "schema_version"


class Interviews(TypedDict):
    workers: int
    managers: int
    union: int


class VisitPart(TypedDict):
    ref: str
    type: str
    visit_start: str  # ISO dates
    visit_end: str
    monitors: list[str]
    interviews: Interviews
    workers_total: int | None
    workers_female: int | None


class FactoryPart(TypedDict):
    ref: str
    name_en: str
    name_km: str
    name_zh: str
    sector: str
    province: str
    district: str | None


class FindingRow(TypedDict):
    question: str
    cluster: str
    compliance_point: str
    publicly_reported: bool
    answer: str
    note: str
    note_language: str
    finding_id: int
    # The photos the revision publishes: one added later, during a correction, is not shown to the
    # factory and its buyers until a revision lists it. Revisions published before photos were listed lack it.
    evidence: NotRequired[list[int]]


class ReportSnapshot(TypedDict):
    schema_version: NotRequired[int]
    assessment: VisitPart
    factory: FactoryPart
    checklist_version: str
    findings: list[FindingRow]
    compliance_points: dict[str, str]


class UnknownSnapshotVersion(ValueError):
    pass


def point_states(findings: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """A compliance point is non-compliant if any of its questions is; else compliant if any is;
    not applicable only when none of its questions applies."""
    answers: defaultdict[str, set[str]] = defaultdict(set)
    for finding in findings:
        answers[finding["compliance_point"]].add(finding["answer"])
    return {code: _point_state(point_answers) for code, point_answers in answers.items()}


def _point_state(answers: set[str]) -> str:
    for answer in (Answer.NON_COMPLIANT, Answer.COMPLIANT, Answer.NOT_ASSESSED):
        if answer in answers:
            return answer.value
    return Answer.NOT_APPLICABLE.value


def build(visit: VisitPart, factory: FactoryPart, checklist_version: str, findings: list[FindingRow]) -> ReportSnapshot:
    """The one way a snapshot is made: its parts, the compliance points they imply, and the schema version."""
    return {
        "schema_version": SCHEMA_VERSION,
        "assessment": visit,
        "factory": factory,
        "checklist_version": checklist_version,
        "findings": findings,
        "compliance_points": point_states(findings),
    }


def factory_part(factory: Factory) -> FactoryPart:
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


def of_assessment(assessment: Assessment) -> ReportSnapshot:
    """The snapshot approval publishes of an assessment as it stands."""
    findings: list[FindingRow] = [
        {
            "question": finding.question.code,
            "cluster": finding.question.compliance_point.cluster.code,
            "compliance_point": finding.question.compliance_point.code,
            "publicly_reported": finding.question.publicly_reported,
            "answer": finding.answer,
            "note": finding.note,
            "note_language": finding.note_language,
            "finding_id": finding.pk,
            "evidence": sorted(evidence.pk for evidence in finding.evidence.all()),
        }
        for finding in assessment.findings.select_related("question__compliance_point__cluster").prefetch_related(
            "evidence"
        )
    ]
    visit: VisitPart = {
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
    }
    return build(visit, factory_part(assessment.factory), assessment.checklist_version.code, findings)


def read(stored: Mapping[str, Any]) -> ReportSnapshot:
    """A stored snapshot in the current shape; one without a version key is version 1."""
    version = stored.get(VERSION_KEY, 1)
    if version != SCHEMA_VERSION:
        raise UnknownSnapshotVersion(f"Report snapshot schema version {version!r} is not one IMS reads.")
    return cast(ReportSnapshot, stored)


def of_revision(revision: ReportRevision) -> ReportSnapshot:
    """The snapshot a published revision froze."""
    return read(revision.snapshot)
