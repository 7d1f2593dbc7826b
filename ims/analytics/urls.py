from django.urls import path

from ims.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("low-compliance/", views.low_compliance, name="low_compliance"),
    path("high-performing/", views.high_performing, name="high_performing"),
    path("open-data/", views.open_data, name="open_data"),
    path("synthesis/", views.synthesis_report, name="synthesis"),
    path("synthesis/pdf/<str:language>/", views.synthesis_pdf, name="synthesis_pdf"),
    path("dashboards/", views.dashboards, name="dashboards"),
    path("dashboards/factories/<str:ref>/", views.factory_dashboard, name="factory_dashboard"),
    path("dashboards/buyer/", views.buyer_dashboard, name="buyer_dashboard"),
    path("dashboards/programme/", views.programme_dashboard, name="programme_dashboard"),
]
