from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from ims.checklists.models import ApplicabilityCondition, ChecklistVersion, Cluster, CompliancePoint, Question


class FrozenVersionAdmin(TabbedTranslationAdmin):
    """Once a version is in use, only its Khmer and Chinese wording can be edited here."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.frozen_version_code():
            readonly += [field.name for field in self.model.frozen_fields()]
            readonly += [field.name for field in self.model._meta.many_to_many]
        return readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.frozen_version_code():
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = ChecklistVersion.objects.filter(frozen_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(FrozenVersionAdmin):
    list_display = ["code", "title", "frozen_at"]
    readonly_fields = ["frozen_at"]


@admin.register(Cluster)
class ClusterAdmin(FrozenVersionAdmin):
    list_display = ["code", "name", "version", "order"]
    list_filter = ["version"]


@admin.register(CompliancePoint)
class CompliancePointAdmin(FrozenVersionAdmin):
    list_display = ["code", "name", "cluster"]
    list_filter = ["cluster__version", "cluster"]


@admin.register(ApplicabilityCondition)
class ApplicabilityConditionAdmin(FrozenVersionAdmin):
    list_display = ["code", "label", "version"]
    list_filter = ["version"]


@admin.register(Question)
class QuestionAdmin(FrozenVersionAdmin):
    list_display = ["code", "text", "standard", "noncompliant_answer", "publicly_reported", "version"]
    list_filter = ["version", "compliance_point__cluster", "standard", "publicly_reported"]
    search_fields = ["code", "text_en", "text_km", "text_zh_hans"]
    filter_horizontal = ["good_practice_sheets"]
