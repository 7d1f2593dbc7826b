from django.urls import path

from ims.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("plan/", views.plan, name="plan"),
    path("<str:ref>/", views.detail, name="detail"),
    path("<str:ref>/details/", views.update_details, name="update_details"),
    path("<str:ref>/transition/", views.transition, name="transition"),
    path("<str:ref>/capture/<str:cluster_code>/", views.capture, name="capture"),
    path("<str:ref>/evidence/", views.upload_evidence, name="upload_evidence"),
    path("<str:ref>/evidence/<int:pk>/", views.evidence, name="evidence"),
    path("<str:ref>/review/", views.review, name="review"),
]
