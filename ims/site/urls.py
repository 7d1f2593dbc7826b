from django.urls import path

from ims.site import views

app_name = "core"
urlpatterns = [path("", views.home, name="home")]
