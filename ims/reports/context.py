"""Everything a report document shows, gathered once for the web page and the PDF alike."""

import datetime
from collections import Counter

from django.db.models import prefetch_related_objects

from ims.assessments.models import Answer, Assessment
from ims.assessments.snapshot import of_revision
from ims.checklists.models import Cluster, Question
from ims.reports.analysis import industry_positions, previous_revision, progress
from ims.reports.note_translations import current_translations
from ims.responses.models import ActionPlanItem, Objection
from ims.training.models import Participant
from ims.training.services import participation_for_report

KINDS = ("detailed", "summary")


def report_context(revision, kind, language, for_pdf=False):
    """The data of one document; render it inside translation.override(language).

    Keys:
    - kind, language, for_pdf; revision, assessment, factory (the model), is_current,
      revisions (every revision of the assessment, oldest first)
    - factory_names: [(language code, name)] in the scripts the factory has names in
    - visit: the snapshot's visit details (ref, type, dates, monitors, interviews), visit_type (label)
    - workforce: {"total", "female", "share_female"} as counted at the visit (None when not counted)
    - clusters: [{"cluster": Cluster, "position": ClusterPosition (score, industry_average, factories,
      percentile), "points": [{"point": CompliancePoint, "state": answer value, "change": None |
      "remediated" | "persistent" | "new"}]}] in checklist order
    - noncompliances: [{"question": Question (sheets prefetched), "note", "note_language", "change",
      "translations": [NoteTranslation] of the note as it reads in this revision}]
    - progress: {"previous": the previous visit's ReportRevision or None, "counts": Counter of changes,
      "points": [(CompliancePoint, change)]}
    - public_issues: [{"question": Question, "answer": answer value}] of this revision
    - objections, actions: the factory's responses to this assessment (summary: public issues only)
    - training (detailed report only): ims.training.services.participation_for_report up to the visit's
      end, plus "roles": [(role, label, {"female", "male"})]
    """
    assessment = revision.assessment
    snapshot = of_revision(revision)
    version = assessment.checklist_version
    previous = previous_revision(revision)
    changes = progress(revision, previous)
    states = snapshot["compliance_points"]
    clusters = list(Cluster.objects.filter(version=version).prefetch_related("compliance_points"))
    positions = {position.cluster: position for position in industry_positions(revision, [c.code for c in clusters])}
    findings = {finding["question"]: finding for finding in snapshot["findings"]}
    questions = {
        question.code: question
        for question in Question.objects.filter(version=version).select_related("compliance_point__cluster")
    }
    noncompliant = [code for code, finding in findings.items() if finding["answer"] == Answer.NON_COMPLIANT]
    # Only the non-compliances show their good practice sheets.
    prefetch_related_objects([questions[code] for code in noncompliant], "good_practice_sheets")
    notes = {findings[code]["finding_id"]: findings[code]["note"] for code in noncompliant}
    translations = current_translations(notes)
    points = {point.code: point for cluster in clusters for point in cluster.compliance_points.all()}
    public_codes = [code for code, question in questions.items() if question.publicly_reported]
    responses = {"finding__assessment": assessment}
    if kind == "summary":
        responses["finding__question__publicly_reported"] = True
    context = {
        "kind": kind,
        "language": language,
        "for_pdf": for_pdf,
        "revision": revision,
        "assessment": assessment,
        "factory": assessment.factory,
        "is_current": revision == assessment.current_revision(),
        "revisions": list(assessment.revisions.order_by("number")),
        "factory_names": [
            (code, snapshot["factory"][key])
            for code, key in (("en", "name_en"), ("km", "name_km"), ("zh-hans", "name_zh"))
            if snapshot["factory"][key]
        ],
        "visit": snapshot["assessment"],
        "visit_type": Assessment.Type(snapshot["assessment"]["type"]).label,
        "workforce": _workforce(snapshot["assessment"]),
        "clusters": [
            {
                "cluster": cluster,
                "position": positions[cluster.code],
                "points": [
                    {"point": point, "state": states.get(point.code), "change": changes.get(point.code)}
                    for point in cluster.compliance_points.all()
                ],
            }
            for cluster in clusters
        ],
        "noncompliances": [
            {
                "question": questions[code],
                "note": findings[code]["note"],
                "note_language": findings[code]["note_language"],
                "change": changes.get(findings[code]["compliance_point"]),
                "translations": translations.get(findings[code]["finding_id"], []),
            }
            for code in noncompliant
        ],
        "progress": {
            "previous": previous,
            "counts": Counter(changes.values()),
            "points": [(points[code], change) for code, change in changes.items() if code in points],
        },
        "public_issues": [
            {"question": questions[code], "answer": findings.get(code, {}).get("answer")} for code in public_codes
        ],
        "objections": list(
            Objection.objects.filter(**responses)
            .select_related("finding__question", "ruled_by", "author", "revision")
            .order_by("created_at", "pk")
        ),
        "actions": list(
            ActionPlanItem.objects.filter(**responses)
            .select_related("finding__question")
            .prefetch_related("notes__author")
            .order_by("due_date", "pk")
        ),
    }
    if kind == "detailed":
        context["training"] = _training(assessment.factory, snapshot["assessment"]["visit_end"])
    return context


def _training(factory, visit_end):
    training = participation_for_report(factory, datetime.date.fromisoformat(visit_end))
    training["roles"] = [(role, label, training["participants"][role]) for role, label in Participant.Role.choices]
    return training


def _workforce(visit):
    total, female = visit.get("workers_total"), visit.get("workers_female")
    if total is None or female is None:
        return {"total": total, "female": female, "share_female": None}
    return {"total": total, "female": female, "share_female": female / total if total else None}
