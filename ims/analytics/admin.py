from django.contrib import admin

from ims.analytics.models import ClassificationRule


@admin.register(ClassificationRule)
class ClassificationRuleAdmin(admin.ModelAdmin):
    """One rule decides the public lists; saving it refreshes every factory's standing."""

    list_display = ["low_min_assessments", "low_sd_above_mean", "high_clean_assessments", "high_requires_committee"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ClassificationRule.objects.exists()
