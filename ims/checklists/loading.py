"""Load a checklist version from its content files into the database.

Re-running with unchanged files writes nothing. A frozen version accepts only
corrected Khmer/Chinese wording and review statuses; any other change is refused.
"""

from dataclasses import dataclass

from django.db import transaction

from ims.checklists.content import read_checklist
from ims.checklists.models import (
    ApplicabilityCondition,
    ChecklistFrozen,
    ChecklistVersion,
    Cluster,
    CompliancePoint,
    Question,
)
from ims.goodpractice.models import GoodPracticeSheet


@dataclass
class LoadResult:
    version: ChecklistVersion
    written: int = 0
    removed: int = 0


def _upsert(model, lookup, translated, plain, statuses, result):
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    if obj.update_content(translated, statuses, **plain):
        obj.save()
        result.written += 1
    return obj


def _remove_missing(queryset, keep_ids, result):
    stale = list(queryset.exclude(pk__in=keep_ids))
    for obj in stale:
        obj.delete()
    result.removed += len(stale)


@transaction.atomic
def load_checklist(directory):
    content = read_checklist(directory)
    version = ChecklistVersion.objects.filter(code=content.version).first() or ChecklistVersion(code=content.version)
    result = LoadResult(version=version)
    if version.update_content({"title": content.title}, content.translation_status):
        version.save()
        result.written += 1

    conditions = {}
    for item in content.conditions:
        conditions[item["code"]] = _upsert(
            ApplicabilityCondition,
            {"version": version, "code": item["code"]},
            {"label": item["label"]},
            {},
            item["translation_status"],
            result,
        )
    sheets = {sheet.slug: sheet for sheet in GoodPracticeSheet.objects.all()}
    kept_clusters, kept_points, kept_questions = [], [], []
    for cluster_order, cluster_data in enumerate(content.clusters, start=1):
        cluster = _upsert(
            Cluster,
            {"version": version, "code": cluster_data["code"]},
            {"name": cluster_data["name"]},
            {"order": cluster_order},
            cluster_data["translation_status"],
            result,
        )
        kept_clusters.append(cluster.pk)
        for point_order, point_data in enumerate(cluster_data["compliance_points"], start=1):
            point = _upsert(
                CompliancePoint,
                {"cluster": cluster, "code": point_data["code"]},
                {"name": point_data["name"]},
                {"order": point_order},
                point_data["translation_status"],
                result,
            )
            kept_points.append(point.pk)
            for question_order, data in enumerate(point_data["questions"], start=1):
                question = _upsert(
                    Question,
                    {"version": version, "code": data["code"]},
                    {name: data[name] for name in Question.translated_fields},
                    {
                        "compliance_point_id": point.pk,
                        "order": question_order,
                        "standard": data["standard"],
                        "noncompliant_answer": data["noncompliant_answer"],
                        "applies_if_id": conditions[data["applies_if"]].pk if data.get("applies_if") else None,
                        "publicly_reported": data["publicly_reported"],
                    },
                    data["translation_status"],
                    result,
                )
                kept_questions.append(question.pk)
                _link_sheets(question, data.get("good_practice_sheets", []), sheets, version, result)

    _remove_missing(Question.objects.filter(version=version), kept_questions, result)
    _remove_missing(CompliancePoint.objects.filter(cluster__version=version), kept_points, result)
    _remove_missing(Cluster.objects.filter(version=version), kept_clusters, result)
    _remove_missing(ApplicabilityCondition.objects.filter(version=version), [c.pk for c in conditions.values()], result)
    return result


def _link_sheets(question, slugs, sheets, version, result):
    unknown = [slug for slug in slugs if slug not in sheets]
    if unknown:
        raise ValueError(f"{question.code} links unknown good practice sheets: {', '.join(unknown)}")
    wanted = {sheets[slug].pk for slug in slugs}
    current = set(question.good_practice_sheets.values_list("pk", flat=True))
    if wanted != current:
        if version.is_frozen:
            raise ChecklistFrozen(f"Checklist {version.code} is in use; {question.code} may not change.")
        question.good_practice_sheets.set(wanted)
        result.written += 1
