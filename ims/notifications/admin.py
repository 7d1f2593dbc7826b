from django.contrib import admin

from ims.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications change only through sending and the paper-copy queue."""

    list_display = ["created_at", "revision", "contact", "channel", "language", "status", "attempts", "sent_at",
                    "posted_at", "posted_by"]  # fmt: skip
    list_filter = ["status", "channel", "language"]
    list_select_related = ["revision__assessment", "contact__factory", "posted_by"]
    search_fields = ["contact__name", "contact__email", "contact__factory__ref", "revision__assessment__ref"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
