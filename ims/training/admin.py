"""Programme administrators edit the catalogue and its translations here; sessions are planned in the app.

Their role is what lets them (the policy's "training.catalogue"), not Django permissions granted by hand;
the admin site itself admits staff accounts only."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from ims import policy
from ims.training.models import TrainingModule, TrainingProgramme


class CatalogueEditing:
    def has_module_permission(self, request):
        return policy.may_ever(request.user, "training.catalogue")

    def has_view_permission(self, request, obj=None):
        return policy.may_ever(request.user, "training.catalogue")

    def has_add_permission(self, request, obj=None):
        return policy.may_ever(request.user, "training.catalogue")

    def has_change_permission(self, request, obj=None):
        return policy.may_ever(request.user, "training.catalogue")

    def has_delete_permission(self, request, obj=None):
        return policy.may_ever(request.user, "training.catalogue")


class ModuleInline(CatalogueEditing, TranslationTabularInline):
    model = TrainingModule
    extra = 0


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(CatalogueEditing, TabbedTranslationAdmin):
    list_display = ["code", "name", "kind", "completion_threshold", "requires_improvement_plan"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_km", "name_zh_hans"]
    inlines = [ModuleInline]
