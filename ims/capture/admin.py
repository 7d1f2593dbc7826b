from django.contrib import admin

from ims.capture.models import ExternalSubmission, SyncConflict, UploadSession


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    list_display = ["assessment", "question_code", "reported_by", "detected_at", "resolution", "resolved_at"]
    list_filter = ["source", "resolution"]
    search_fields = ["assessment__ref", "question_code", "client_uuid"]
    readonly_fields = [field.name for field in SyncConflict._meta.fields]


@admin.register(UploadSession)
class UploadSessionAdmin(admin.ModelAdmin):
    list_display = ["client_uuid", "assessment", "received", "expected_size", "completed_at"]
    search_fields = ["assessment__ref", "client_uuid"]
    readonly_fields = [field.name for field in UploadSession._meta.fields]


@admin.register(ExternalSubmission)
class ExternalSubmissionAdmin(admin.ModelAdmin):
    list_display = ["instance_id", "assessment", "findings", "imported_by", "imported_at"]
    search_fields = ["instance_id", "assessment__ref"]
    readonly_fields = [field.name for field in ExternalSubmission._meta.fields]
