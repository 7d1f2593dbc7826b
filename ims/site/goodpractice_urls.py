from django.urls import path

from ims.site import goodpractice as views

app_name = "goodpractice"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
]
