from django.urls import path

from ims.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.visit_planning, name="visits"),
    path("low-compliance/", views.cases, name="cases"),
    path("low-compliance/<int:pk>/", views.case, name="case"),
]
