from django.urls import path

from ims.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notices, name="notices"),
    path("<int:notice_id>/", views.open_notice, name="open"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("paper/", views.paper_queue_page, name="paper_queue"),
    path("paper/print/", views.paper_batch, name="paper_batch"),
    path("paper/posted/", views.paper_posted, name="paper_posted"),
]
