from django.urls import path

from ims.readings import views

app_name = "readings"
urlpatterns = [path("factories/<str:ref>/", views.factory_readings, name="factory")]
