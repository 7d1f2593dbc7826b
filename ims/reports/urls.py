from django.urls import path

from ims.reports import pages as report_views
from ims.reports import views as document_views

app_name = "reports"
urlpatterns = [
    path("", report_views.index, name="index"),
    path("objections/", report_views.objections, name="objections"),
    path("verify/", document_views.verify, name="verify"),
    path(
        "findings/<int:finding_id>/note-translation/",
        document_views.translate_finding_note,
        name="translate_note",
    ),
    path("<str:ref>/review/", report_views.review, name="review"),
    path("<str:ref>/revisions/<int:number>/", report_views.revision, name="revision"),
    path("<str:ref>/revisions/<int:number>/summary/", document_views.summary, name="summary"),
    path(
        "<str:ref>/revisions/<int:number>/pdf/detailed/<str:language>/",
        document_views.detailed_pdf,
        name="detailed_pdf",
    ),
    path(
        "<str:ref>/revisions/<int:number>/pdf/summary/<str:language>/", document_views.summary_pdf, name="summary_pdf"
    ),
]
