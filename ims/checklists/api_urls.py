from django.urls import path

from ims.checklists import api

app_name = "checklists_api"
urlpatterns = [
    path("<str:version>/", api.ChecklistVersionView.as_view(), name="version"),
]
