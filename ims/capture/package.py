"""What a tablet downloads to capture an assessment without a network, in two parts.

- The checklist file: the pinned checklist version in all three languages (the monitor may switch
  language offline). Nearly all of the bytes, and the same for every assessment of that version, so it
  has an address of its own that changes only when its content does (ChecklistRevision): a tablet
  downloads it once and keeps it, and shared caches may keep it too.
- The package: this assessment's part, a few KiB: the factory's profile, what this team has already
  captured (with the row versions edits must start from), which clusters this monitor may edit, the
  previous published visit's findings for comparison, and the address of the checklist file. It carries
  no clock, so its ETag changes only with its content: a tablet reopening the assessment asks with
  If-None-Match and mostly gets a 304.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ims.assessments.models import Answer
from ims.assessments.previous import previous_findings
from ims.assessments.workflow import can_edit_findings
from ims.capture.models import ChecklistRevision, SyncConflict
from ims.capture.sync import finding_state
from ims.checklists.models import Question
from ims.core.i18n import NATIVE_NAMES

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PACKAGE_FORMAT = 3  # 3: labels in every language, photo ids, conditions not met
# Part of the checklist file's address: bump it when the file's shape changes, so tablets fetch it again.
CHECKLIST_FORMAT = 2  # 2: applicability conditions by code, so a whole condition can be marked not met


def _texts(obj, field):
    return {language: obj.text_in(field, language) for language in LANGUAGES}


def _labels(label):
    """A translated label in every language: the package is read under the page's language, not the request's."""
    labels = {}
    for language in LANGUAGES:
        with translation.override(language):
            labels[language] = str(label)
    return labels


def _factory_profile(factory):
    snapshot = factory.workforce_snapshots.order_by("-as_of").first()
    return {
        "ref": factory.ref,
        "names": {"en": factory.name_en, "km": factory.name_km, "zh-hans": factory.name_zh},
        "registration_no": factory.registration_no,
        "export_licence_no": factory.export_licence_no,
        "sector": _labels(factory.get_sector_display()),
        "address": factory.address,
        "province": _texts(factory.province, "name") if factory.province_id else {},
        "district": _texts(factory.district, "name") if factory.district_id else {},
        "head_office_country": factory.head_office_country_name,
        "workforce": (
            {"as_of": snapshot.as_of.isoformat(), "total": snapshot.workers_total, "women": snapshot.workers_female}
            if snapshot
            else None
        ),
    }


def checklist_edition(version):
    """Which content of the version a checklist file holds, e.g. "v1.r4" (file format 1, content revision 4)."""
    revision = ChecklistRevision.objects.filter(version=version).values_list("number", flat=True).first() or 0
    return f"v{CHECKLIST_FORMAT}.r{revision}"


def checklist_url(version, edition=None):
    return reverse("capture_api:checklist", args=[version.code, edition or checklist_edition(version)])


def checklist_file(version, edition):
    return {"edition": edition, **_checklist(version)}


def _checklist(version):
    questions = (
        Question.objects.filter(version=version)
        .select_related("compliance_point__cluster", "applies_if")
        .order_by("compliance_point__cluster__order", "compliance_point__order", "order")
    )
    clusters = []
    for question in questions:
        point = question.compliance_point
        cluster = point.cluster
        if not clusters or clusters[-1]["code"] != cluster.code:
            clusters.append({"code": cluster.code, "name": _texts(cluster, "name"), "compliance_points": []})
        points = clusters[-1]["compliance_points"]
        if not points or points[-1]["code"] != point.code:
            points.append({"code": point.code, "name": _texts(point, "name"), "questions": []})
        points[-1]["questions"].append(
            {
                "code": question.code,
                "text": _texts(question, "text"),
                "guidance": _texts(question, "guidance"),
                "legal_basis": _texts(question, "legal_basis"),
                "noncompliant_answer": question.noncompliant_answer,
                "publicly_reported": question.publicly_reported,
                "applies_if": question.applies_if.code if question.applies_if_id else None,
            }
        )
    conditions = {
        condition.code: {"label": _texts(condition, "label")} for condition in version.conditions.order_by("code")
    }
    return {"code": version.code, "title": _texts(version, "title"), "conditions": conditions, "clusters": clusters}


def build_package(assessment, user):
    version = assessment.checklist_version
    findings = assessment.findings.select_related("question", "updated_by").prefetch_related("evidence")
    clusters = list(version.clusters.values_list("code", flat=True))
    return {
        "format": PACKAGE_FORMAT,
        "checklist": {"code": version.code, "url": checklist_url(version)},
        "user": {"id": user.pk, "name": str(user)},
        "assessment": {
            "ref": assessment.ref,
            "status": assessment.status,
            "type": assessment.type,
            "visit_start": assessment.visit_start.isoformat(),
            "visit_end": assessment.visit_end.isoformat(),
            "team": [
                {"name": str(member.user), "lead": member.is_lead, "clusters": member.clusters or clusters}
                for member in assessment.team.select_related("user").order_by("-is_lead", "user__full_name")
            ],
            "editable_clusters": [code for code in clusters if can_edit_findings(assessment, user, code)],
        },
        "factory": _factory_profile(assessment.factory),
        "answers": Answer.values,
        "languages": [{"code": code, "name": NATIVE_NAMES[code]} for code in LANGUAGES],
        "findings": {
            finding.question.code: {**finding_state(finding), "photos": [item.pk for item in finding.evidence.all()]}
            for finding in findings
        },
        "open_conflicts": [
            conflict_state(conflict)
            for conflict in SyncConflict.objects.open().filter(assessment=assessment, reported_by=user)
        ],
        "previous": previous_findings(assessment),
    }


def conflict_state(conflict):
    return {
        "id": conflict.pk,
        "question": conflict.question_code,
        "message": conflict.message,
        "client": conflict.client_payload,
        "server": conflict.server_state,
        "detected_at": conflict.detected_at.isoformat(),
    }
