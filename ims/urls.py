from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("ims.site.i18n_urls")),
    path("api/v1/capture/", include("ims.capture.api_urls")),
    path("api/v1/public/checklists/", include("ims.checklists.api_urls")),
    path("api/v1/public/", include("ims.analytics.api_urls")),
    path("api/v1/voice/", include("ims.voice.api_urls")),
    path("api/v1/readings/", include("ims.readings.api_urls")),
    path("api/v1/", include("ims.site.api_urls")),
    path("v/", include("ims.voice.survey_urls")),
]
urlpatterns += i18n_patterns(
    path("", include("ims.site.urls")),
    path("accounts/", include("ims.site.account_urls")),
    path("factories/", include("ims.site.factory_urls")),
    path("checklists/", include("ims.checklists.urls")),
    path("good-practice/", include("ims.site.goodpractice_urls")),
    path("assessments/", include("ims.assessments.urls")),
    path("reports/", include("ims.reports.urls")),
    path("responses/", include("ims.responses.urls")),
    path("access/", include("ims.responses.grant_urls")),
    path("notifications/", include("ims.notifications.urls")),
    path("audit/", include("ims.audit.urls")),
    path("capture/", include("ims.capture.urls")),
    path("statistics/", include("ims.analytics.urls")),
    path("training/", include("ims.training.urls")),
    path("advisory/", include("ims.advisory.urls")),
    path("remediation/", include("ims.remediation.urls")),
    path("worker-voice/", include("ims.voice.urls")),
    path("readings/", include("ims.readings.urls")),
    path("visit-planning/", include("ims.planning.urls")),
    path("admin/", admin.site.urls),
)

# A database restart or a damaged file gets a clear answer in the caller's format, not a bare 500.
handler500 = "ims.operations.errors.server_error"
