from django.urls import path

from ims.access import views

app_name = "access"
urlpatterns = [
    path("", views.grants, name="grants"),
    path("<int:grant_id>/revoke/", views.revoke, name="revoke"),
]
