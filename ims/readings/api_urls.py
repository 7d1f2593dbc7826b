from django.urls import path

from ims.readings import views

app_name = "readings_api"
urlpatterns = [path("", views.ingest, name="ingest")]
