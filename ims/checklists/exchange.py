"""A checklist version as one JSON document in the shared format, out of the database and back in.

The document holds what the content files under content/checklist/<version>/ hold (manifest.json,
conditions.json and one file per compliance point), with each compliance point written in full inside its
cluster instead of named. Reading one back goes through the same checks and loader as the content files, so a
document is accepted by the app exactly when the files would be, and an exported version re-imports as itself.
"""

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ims.checklists.content import read_checklist
from ims.checklists.loading import load_checklist
from ims.checklists.models import ApplicabilityCondition, ChecklistVersion, Cluster, CompliancePoint, Question
from ims.core.content_files import LANGUAGES, TRANSLATED_LANGUAGES, ContentError
from ims.core.i18n import field_suffix


def _texts(obj, name):
    return {language: obj.text_in(name, language) for language in LANGUAGES}


def _statuses(obj):
    return {language: getattr(obj, f"translation_status_{field_suffix(language)}") for language in TRANSLATED_LANGUAGES}


def _question(question):
    return {
        "code": question.code,
        **{name: _texts(question, name) for name in Question.translated_fields},
        "standard": question.standard,
        "noncompliant_answer": question.noncompliant_answer,
        "applies_if": question.applies_if.code if question.applies_if_id else None,
        "publicly_reported": question.publicly_reported,
        "good_practice_sheets": sorted(sheet.slug for sheet in question.good_practice_sheets.all()),
        "translation_status": _statuses(question),
    }


def export_version(version):
    """The version as a dict in the shared format (json.dumps it to write the document)."""
    questions = (
        Question.objects.filter(version=version)
        .select_related("applies_if")
        .prefetch_related("good_practice_sheets")
        .order_by("order")
    )
    by_point = {}
    for question in questions:
        by_point.setdefault(question.compliance_point_id, []).append(_question(question))
    points = CompliancePoint.objects.filter(cluster__version=version).order_by("order")
    points_by_cluster = {}
    for point in points:
        points_by_cluster.setdefault(point.cluster_id, []).append(
            {"code": point.code, "name": _texts(point, "name"), "translation_status": _statuses(point),
             "questions": by_point.get(point.pk, [])}
        )  # fmt: skip
    return {
        "version": version.code,
        "title": _texts(version, "title"),
        "translation_status": _statuses(version),
        "conditions": [
            {"code": condition.code, "label": _texts(condition, "label"), "translation_status": _statuses(condition)}
            for condition in ApplicabilityCondition.objects.filter(version=version).order_by("pk")
        ],
        "clusters": [
            {"code": cluster.code, "name": _texts(cluster, "name"), "translation_status": _statuses(cluster),
             "compliance_points": points_by_cluster.get(cluster.pk, [])}
            for cluster in Cluster.objects.filter(version=version).order_by("order")
        ],
    }  # fmt: skip


def _write_files(document, directory):
    """The document as the content files it stands for."""
    if not isinstance(document, dict) or not isinstance(document.get("clusters"), list):
        raise ContentError(["the document must be a JSON object with a list of clusters"])
    points = directory / "compliance_points"
    points.mkdir()
    manifest = {key: value for key, value in document.items() if key not in ("conditions", "clusters")}
    manifest["clusters"] = []
    for cluster in document["clusters"]:
        inlined = cluster.get("compliance_points") if isinstance(cluster, dict) else None
        if not isinstance(inlined, list) or not all(isinstance(point, dict) for point in inlined):
            raise ContentError([f"cluster {cluster!r:.40}: 'compliance_points' must be a list of objects"])
        manifest["clusters"].append({**cluster, "compliance_points": [point.get("code") for point in inlined]})
        for point in inlined:
            if not isinstance(point.get("code"), str) or "/" in point["code"] or point["code"].startswith("."):
                raise ContentError([f"compliance point {point.get('code')!r}: the code must be text like CL.1"])
            (points / f"{point['code']}.json").write_text(json.dumps(point, ensure_ascii=False), encoding="utf-8")
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    conditions = document.get("conditions", [])
    (directory / "conditions.json").write_text(json.dumps(conditions, ensure_ascii=False), encoding="utf-8")


def read_document(document):
    """The checklist a document describes, checked as the content files are; raises ContentError."""
    with tempfile.TemporaryDirectory() as directory:
        _write_files(document, Path(directory))
        return read_checklist(directory)


@dataclass
class Difference:
    """What a new version changes against the one before it, by question code."""

    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)  # code -> the names of the fields that differ

    @property
    def is_empty(self):
        return not (self.added or self.removed or self.changed)


def _questions_of(document):
    return {
        question["code"]: question
        for cluster in document["clusters"]
        for point in cluster["compliance_points"]
        for question in point["questions"]
    }


def difference(previous, document):
    """Question by question, what the document changes against the previous version's export."""
    before, after = _questions_of(previous), _questions_of(document)
    result = Difference(added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after)))
    for code in sorted(set(before) & set(after)):
        fields = sorted(name for name in after[code] if after[code].get(name) != before[code].get(name))
        if fields:
            result.changed[code] = fields
    return result


class VersionExists(Exception):
    """A version with this code is stored already: a new version needs a new code."""


def import_version(document):
    """Save the document as a new checklist version; raises ContentError or VersionExists, saving nothing."""
    checklist = read_document(document)
    if ChecklistVersion.objects.filter(code=checklist.version).exists():
        raise VersionExists(checklist.version)
    with tempfile.TemporaryDirectory() as directory:
        _write_files(document, Path(directory))
        try:
            return load_checklist(directory).version
        except ValueError as error:  # a good practice sheet the database does not hold; the load rolled back
            raise ContentError([str(error)]) from error
