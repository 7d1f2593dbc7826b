from django.urls import path

from ims.training import views

app_name = "training"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("programmes/<slug:code>/", views.programme, name="programme"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("sessions/<int:pk>/attendance/<str:day>/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/complete/", views.complete, name="complete"),
    path("enrolments/<int:pk>/", views.enrolment, name="enrolment"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("plan-items/<int:pk>/status/", views.item_status, name="item_status"),
    path("mine/", views.mine, name="mine"),
    path("factories/<str:ref>/", views.factory, name="factory"),
    path("participation/export/", views.export, name="export"),
    path("impact/", views.impact_index, name="impact"),
    path("impact/summary.csv", views.impact_csv, name="impact_csv"),
    path("impact/<slug:code>/", views.impact_programme, name="impact_programme"),
    path("impact/<slug:code>.csv", views.impact_programme_csv, name="impact_programme_csv"),
]
