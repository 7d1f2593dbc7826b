from django.urls import path

from ims.site import views

urlpatterns = [path("setlang/", views.set_language, name="set_language")]
