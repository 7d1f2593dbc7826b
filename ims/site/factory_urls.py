from django.urls import path

from ims.site import factories as views

app_name = "factories"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("import/", views.import_csv, name="import"),
    path("<str:ref>/", views.detail, name="detail"),
]
