from django.urls import path

from ims.assessments import report_views

app_name = "reports"
urlpatterns = [
    path("", report_views.index, name="index"),
    path("objections/", report_views.objections, name="objections"),
    path("<str:ref>/review/", report_views.review, name="review"),
    path("<str:ref>/revisions/<int:number>/", report_views.revision, name="revision"),
]
