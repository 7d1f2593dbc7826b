from django.urls import path

from ims.checklists import views

app_name = "checklists"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_version, name="import"),
    path("<str:code>/", views.version_detail, name="version"),
    path("<str:code>/<str:question>/", views.question_detail, name="question"),
]
