"""The public read API at /api/v1/public/: the paths docs/domain.md gives have no trailing slash, so none has."""

from django.urls import path

from ims.analytics import api

app_name = "analytics_api"
urlpatterns = [
    path("statistics/noncompliance", api.NoncomplianceView.as_view(), name="noncompliance"),
    path("statistics/years", api.YearsView.as_view(), name="years"),
    path("statistics/employment", api.EmploymentView.as_view(), name="employment"),
    path("factories", api.FactoryListView.as_view(), name="factories"),
    path("factories/<str:ref>", api.FactoryView.as_view(), name="factory"),
    path("downloads/<slug:dataset>.<slug:fmt>", api.DownloadView.as_view(), name="download"),
]
