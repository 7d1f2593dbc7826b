from django.contrib import admin

from ims.reports.models import RenderedReport


@admin.register(RenderedReport)
class RenderedReportAdmin(admin.ModelAdmin):
    """Read-only: documents change only by rendering (the background task or `manage.py render_reports`)."""

    list_display = ["revision", "kind", "language", "pages", "size", "generated_at", "verification_code"]
    list_filter = ["kind", "language"]
    list_select_related = ["revision__assessment"]
    search_fields = ["revision__assessment__ref", "revision__assessment__factory__ref", "verification_code", "sha256"]
    date_hierarchy = "generated_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
