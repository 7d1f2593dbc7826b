from django.contrib import admin

from ims.advisory.models import (
    AdvisoryVisit,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    EngagementCycle,
    RoadmapItem,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Advisory records change through the advisory pages, which check roles and write the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EngagementCycle)
class EngagementCycleAdmin(ReadOnlyAdmin):
    list_display = ["factory", "start", "end", "advisor"]
    search_fields = ["factory__ref", "factory__name_en"]


@admin.register(AdvisoryVisit)
class AdvisoryVisitAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "date", "advisor", "note_language"]


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ["factory", "formed_on", "is_active"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "committee", "role", "gender", "elected_on", "is_active"]


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(ReadOnlyAdmin):
    list_display = ["committee", "date", "attendees", "language"]


@admin.register(RoadmapItem)
class RoadmapItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "cycle", "owner", "due", "status"]
