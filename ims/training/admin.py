"""Programme administrators edit the catalogue and its translations here; sessions are planned in the app."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from ims.training.models import TrainingModule, TrainingProgramme


class ModuleInline(TranslationTabularInline):
    model = TrainingModule
    extra = 0


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(TabbedTranslationAdmin):
    list_display = ["code", "name", "kind", "completion_threshold", "requires_improvement_plan"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_km", "name_zh_hans"]
    inlines = [ModuleInline]
