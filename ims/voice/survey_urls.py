"""The web survey's short links (/v/<campaign>/<card>/), outside the language prefixes: Khmer first."""

from django.urls import path

from ims.voice import views

app_name = "voice_survey"
urlpatterns = [path("<str:code>/<str:token>/", views.survey, name="answer")]
