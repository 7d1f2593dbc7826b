"""The two report documents (detailed and public summary) as the web pages and the PDF files lay them out.

report_context (the lead's) gathers the data; this module arranges it per finding and per compliance
point, adds the public issues' history for the summary, and derives the verification code from a
canonical form of it. Render the templates inside translation.override(language).
"""

import datetime
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from enum import Enum

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils.functional import Promise

from ims.accounts.models import User
from ims.assessments.models import PUBLISHED_STATUSES, Answer, Assessment, ReportRevision
from ims.assessments.snapshot import of_revision
from ims.checklists.models import Question
from ims.factories.models import District, Factory, Province, Sector
from ims.reports.context import report_context
from ims.reports.models import Kind
from ims.responses.models import ActionPlanItem, Objection

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
TEMPLATES = {Kind.DETAILED: "reports/document/detailed.html", Kind.SUMMARY: "reports/document/summary.html"}
CHANGES = ("remediated", "persistent", "new")  # since the previous visit, in the order a reader wants them
# Keys of the context that are not content: how it is shown, or what changes after publication
# (a later revision makes this one no longer current) without changing what the document says.
NOT_CONTENT = {"for_pdf", "is_current", "revisions", "site_url", "verification_code"}


@dataclass
class PointRow:
    point: object
    state: Answer | None
    counts: Counter  # questions per answer

    @property
    def applicable(self):
        """Questions that applied and were assessed."""
        return self.counts[Answer.COMPLIANT] + self.counts[Answer.NON_COMPLIANT]


@dataclass
class ClusterRow:
    cluster: object
    position: object
    points: list
    counts: Counter = field(default_factory=Counter)

    @property
    def applicable(self):
        return self.counts[Answer.COMPLIANT] + self.counts[Answer.NON_COMPLIANT]

    @property
    def noncompliant_points(self):
        return sum(1 for row in self.points if row.state == Answer.NON_COMPLIANT)


@dataclass
class NonCompliance:
    question: Question
    note: str
    note_language: str
    change: str | None
    finding_id: int
    objections: list
    actions: list
    translations: list = field(default_factory=list)  # of the note, each marked as a translation
    forms: dict = field(default_factory=dict)  # the web page's response forms, never in a PDF

    @property
    def open_objection(self):
        return any(objection.status == Objection.Status.OPEN for objection in self.objections)


@dataclass
class PublicIssue:
    question: Question
    statuses: list  # an Answer per visit of the history (newest first), None where not asked
    objections: list
    actions: list


@dataclass
class HistoryVisit:
    ref: str
    type_label: str
    visit_end: datetime.date
    revision_number: int
    is_this_report: bool


def document_context(revision, kind, language, for_pdf=False, base=None):
    """What a document shows. `base` is report_context's answer when the caller already has it
    (its data does not depend on the language, so one serves the three languages)."""
    base = base if base is not None else report_context(revision, kind, language, for_pdf=for_pdf)
    snapshot = of_revision(revision)
    counts = defaultdict(Counter)
    finding_ids = {}
    for finding in snapshot["findings"]:
        counts[finding["compliance_point"]][finding["answer"]] += 1
        finding_ids[finding["question"]] = finding["finding_id"]
    objections, actions = defaultdict(list), defaultdict(list)
    for objection in base["objections"]:
        objections[objection.finding_id].append(objection)
    for item in base["actions"]:
        actions[item.finding_id].append(item)
    context = {
        **base,
        "language": language,
        "for_pdf": for_pdf,
        "site_url": settings.IMS_SITE_URL if for_pdf else "",
        "profile": _profile(snapshot["factory"], language),
        "visit_dates": (
            datetime.date.fromisoformat(snapshot["assessment"]["visit_start"]),
            datetime.date.fromisoformat(snapshot["assessment"]["visit_end"]),
        ),
        "totals": Counter(finding["answer"] for finding in snapshot["findings"]),
        "clusters": [_cluster_row(row, counts) for row in base["clusters"]],
    }
    if kind == Kind.DETAILED:
        context["progress_groups"] = [
            (change, [point for point, its_change in base["progress"]["points"] if its_change == change])
            for change in CHANGES
            if base["progress"]["counts"][change]
        ]
        listed = set()
        context["noncompliances"] = []
        for row in base["noncompliances"]:
            finding_id = finding_ids[row["question"].code]
            listed.add(finding_id)
            context["noncompliances"].append(
                NonCompliance(
                    question=row["question"],
                    note=row["note"],
                    note_language=row["note_language"],
                    change=row["change"],
                    finding_id=finding_id,
                    objections=objections.get(finding_id, []),
                    actions=actions.get(finding_id, []),
                    translations=row["translations"],
                )
            )
        # Objections to findings this revision no longer lists as non-compliant (e.g. revised ones).
        context["other_objections"] = [
            objection for finding_id, found in objections.items() if finding_id not in listed for objection in found
        ]
    else:
        context["noncompliances"] = []
        context["history"] = _public_history(revision, base["public_issues"], finding_ids, objections, actions)
    return context


def _profile(factory, language):
    own_script = {"km": factory.get("name_km"), "zh-hans": factory.get("name_zh")}.get(language)
    district = factory.get("district")
    return {
        "ref": factory["ref"],
        "display_name": own_script or factory["name_en"],
        "sector": Sector(factory["sector"]).label if factory["sector"] in Sector.values else factory["sector"],
        "province": Province.objects.filter(code=factory["province"]).first(),
        "district": District.objects.filter(code=district).first() if district else None,
    }


def _cluster_row(row, counts):
    points = [
        PointRow(
            point=item["point"],
            state=Answer(item["state"]) if item["state"] else None,
            counts=counts[item["point"].code],
        )
        for item in row["points"]
    ]
    total = Counter()
    for point in points:
        total.update(point.counts)
    return ClusterRow(cluster=row["cluster"], position=row["position"], points=points, counts=total)


def _public_history(revision, public_issues, finding_ids, objections, actions):
    """The public issues' answers in this report and the factory's earlier published assessments.

    This revision stands for its assessment; each earlier assessment counts with its current revision.
    Later assessments are left out: the summary of a revision reads the same whenever it is printed.
    """
    assessment = revision.assessment
    earlier = list(
        Assessment.objects.filter(factory=assessment.factory, status__in=PUBLISHED_STATUSES)
        .filter(visit_start__lt=assessment.visit_start)
        .exclude(pk=assessment.pk)
        .order_by("-visit_start", "-pk")
    )
    current = {
        row.assessment_id: row for row in ReportRevision.objects.filter(assessment__in=earlier).order_by("number")
    }  # later numbers overwrite earlier ones: the current revision of each
    visits = [(assessment, revision, True)] + [(other, current[other.pk], False) for other in earlier]
    answers = [_public_answers(of_revision(shown)) for _visit, shown, _is_this in visits]
    issues = []
    for issue in public_issues:
        code = issue["question"].code
        finding_id = finding_ids.get(code)
        issues.append(
            PublicIssue(
                question=issue["question"],
                statuses=[by_code.get(code) for by_code in answers],
                objections=objections.get(finding_id, []),
                actions=actions.get(finding_id, []),
            )
        )
    return {
        "visits": [
            HistoryVisit(
                ref=visit.ref,
                type_label=Assessment.Type(visit.type).label,
                visit_end=visit.visit_end,
                revision_number=shown.number,
                is_this_report=is_this,
            )
            for visit, shown, is_this in visits
        ],
        "issues": issues,
    }


def _public_answers(snapshot):
    findings = snapshot["findings"]
    return {finding["question"]: Answer(finding["answer"]) for finding in findings if finding["publicly_reported"]}


def render_body(kind, context):
    """The document's HTML body, shared by the web page and the PDF."""
    return render_to_string(TEMPLATES[kind], context)


# The verification code


def verification_code(revision, kind, language, context):
    """SHA-256 of the document's canonical content: what it says, not how it is drawn."""
    content = {key: value for key, value in context.items() if key not in NOT_CONTENT}
    canonical = json.dumps(
        {"revision": revision.pk, "kind": str(kind), "language": language, "data": _plain(content)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# Fields that change without changing what a document says.
VOLATILE_FIELDS = {"updated_at", "row_version", "translated_at"}


def _plain(value):
    """A JSON-ready form of the context's data, the same for the same content in any process."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (Promise, Decimal)):
        return str(value)
    if isinstance(value, User):
        return value.full_name
    if isinstance(value, (Assessment, Factory)):
        return value.ref  # what the document reports of them comes from the revision's snapshot
    if isinstance(value, ReportRevision):
        return {"id": value.pk, "number": value.number, "reason": value.reason,
                "approved_at": value.approved_at.isoformat(), "snapshot": of_revision(value)}  # fmt: skip
    if isinstance(value, models.Model):
        return _plain_model(value)
    if is_dataclass(value):
        return {item.name: _plain(getattr(value, item.name)) for item in fields(value) if item.name != "forms"}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"No canonical form for {type(value).__name__}")


def _plain_model(instance):
    data = {"model": instance._meta.label}
    for model_field in instance._meta.concrete_fields:
        if model_field.name not in VOLATILE_FIELDS:
            data[model_field.attname] = _plain(model_field.value_from_object(instance))
    if isinstance(instance, Question):
        data["sheets"] = sorted(sheet.slug for sheet in instance.good_practice_sheets.all())
    if isinstance(instance, ActionPlanItem):
        data["notes"] = [_plain_model(note) for note in instance.notes.all()]
    return data
