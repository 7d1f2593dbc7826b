from django.urls import path

from ims.remediation import views

app_name = "remediation"
urlpatterns = [
    path("", views.index, name="index"),
    path("overdue/", views.overdue, name="overdue"),
    path("factories/<str:ref>/", views.factory_tracker, name="factory"),
]
