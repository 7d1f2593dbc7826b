from django.urls import path

from ims.voice import views

app_name = "voice"
urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<str:code>/", views.campaign, name="campaign"),
    path("campaigns/<str:code>/cards/", views.cards, name="cards"),
    path("alerts/", views.alerts, name="alerts"),
]
