from django.urls import path

from ims.notifications import views

app_name = "notifications"
urlpatterns = [
    path("paper/", views.paper_queue_page, name="paper_queue"),
    path("paper/print/", views.paper_batch, name="paper_batch"),
    path("paper/posted/", views.paper_posted, name="paper_posted"),
]
