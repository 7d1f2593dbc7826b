from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from ims.checklists.models import ApplicabilityCondition, ChecklistVersion, Cluster, CompliancePoint, Question


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(TabbedTranslationAdmin):
    list_display = ["code", "title", "frozen_at"]
    readonly_fields = ["frozen_at"]


@admin.register(Cluster)
class ClusterAdmin(TabbedTranslationAdmin):
    list_display = ["code", "name", "version", "order"]
    list_filter = ["version"]


@admin.register(CompliancePoint)
class CompliancePointAdmin(TabbedTranslationAdmin):
    list_display = ["code", "name", "cluster"]
    list_filter = ["cluster__version", "cluster"]


@admin.register(ApplicabilityCondition)
class ApplicabilityConditionAdmin(TabbedTranslationAdmin):
    list_display = ["code", "label", "version"]
    list_filter = ["version"]


@admin.register(Question)
class QuestionAdmin(TabbedTranslationAdmin):
    list_display = ["code", "text", "standard", "noncompliant_answer", "publicly_reported", "version"]
    list_filter = ["version", "compliance_point__cluster", "standard", "publicly_reported"]
    search_fields = ["code", "text_en", "text_km", "text_zh_hans"]
    filter_horizontal = ["good_practice_sheets"]
