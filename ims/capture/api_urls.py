from django.urls import path

from ims.capture import api, views

app_name = "capture_api"
urlpatterns = [
    # Language-neutral, so one service worker (scope "/", allowed by a header) serves every language prefix.
    path("service-worker.js", views.service_worker, name="service_worker"),
    path("assessments/<str:ref>/package/", api.PackageView.as_view(), name="package"),
    path("assessments/<str:ref>/findings/", api.FindingBatchView.as_view(), name="findings"),
    path("assessments/<str:ref>/findings/<uuid:client_uuid>/", api.FindingSubmissionView.as_view(), name="finding"),
    path("assessments/<str:ref>/uploads/", api.UploadListView.as_view(), name="uploads"),
    path("assessments/<str:ref>/sync-check/", api.SyncCheckView.as_view(), name="sync_check"),
    path("assessments/<str:ref>/submissions/", api.OdkSubmissionView.as_view(), name="odk_submissions"),
    path("uploads/<uuid:client_uuid>/", api.UploadView.as_view(), name="upload"),
    path("conflicts/<int:pk>/resolve/", api.ConflictResolveView.as_view(), name="resolve_conflict"),
    path("checklists/<str:code>/xlsform/", api.XlsFormView.as_view(), name="xlsform"),
    path("checklists/<str:code>/content.<str:edition>.json", api.ChecklistFileView.as_view(), name="checklist"),
]
