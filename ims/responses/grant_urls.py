from django.urls import path

from ims.responses import grant_views as views

app_name = "grants"
urlpatterns = [
    path("", views.grants, name="grants"),
    path("<int:grant_id>/revoke/", views.revoke, name="revoke"),
]
