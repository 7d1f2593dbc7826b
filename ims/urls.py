from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("ims.core.i18n_urls")),
    path("api/v1/capture/", include("ims.capture.api_urls")),
    path("api/v1/public/checklists/", include("ims.checklists.api_urls")),
    path("api/v1/public/", include("ims.analytics.api_urls")),
    path("api/v1/", include("ims.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("ims.core.urls")),
    path("accounts/", include("ims.accounts.urls")),
    path("factories/", include("ims.factories.urls")),
    path("checklists/", include("ims.checklists.urls")),
    path("good-practice/", include("ims.goodpractice.urls")),
    path("assessments/", include("ims.assessments.urls")),
    path("reports/", include("ims.assessments.report_urls")),
    path("responses/", include("ims.responses.urls")),
    path("access/", include("ims.access.urls")),
    path("notifications/", include("ims.notifications.urls")),
    path("audit/", include("ims.audit.urls")),
    path("capture/", include("ims.capture.urls")),
    path("statistics/", include("ims.analytics.urls")),
    path("training/", include("ims.training.urls")),
    path("advisory/", include("ims.advisory.urls")),
    path("remediation/", include("ims.remediation.urls")),
    path("admin/", admin.site.urls),
)

# A database restart or a damaged file gets a clear answer in the caller's format, not a bare 500.
handler500 = "ims.operations.errors.server_error"
