from django.urls import path

from ims.capture import views

app_name = "capture"
urlpatterns = [
    path("", views.index, name="index"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("<str:ref>/", views.app, name="app"),
    path("<str:ref>/import/", views.import_form, name="import"),
    path("<str:ref>/import/submit/", views.import_submissions, name="import_submit"),
]
