from django.contrib import admin

from ims.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API; here they are reviewed and revoked (deleted)."""

    list_display = ["user", "prefix", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__email", "prefix"]
    readonly_fields = ["user", "digest", "prefix", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):
        return False
