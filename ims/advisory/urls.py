from django.urls import path

from ims.advisory import views

app_name = "advisory"
urlpatterns = [
    path("", views.index, name="index"),
    path("factories/<str:ref>/", views.factory_page, name="factory"),
    path("factories/<str:ref>/cycles/new/", views.start_cycle, name="start_cycle"),
    path("factories/<str:ref>/committees/new/", views.form_committee, name="form_committee"),
    path("cycles/<int:pk>/close/", views.close_cycle, name="close_cycle"),
    path("cycles/<int:pk>/visits/new/", views.record_visit, name="record_visit"),
    path("cycles/<int:pk>/roadmap/new/", views.add_roadmap_item, name="add_roadmap_item"),
    path("roadmap/<int:pk>/status/", views.roadmap_status, name="roadmap_status"),
    path("committees/<int:pk>/members/new/", views.add_member, name="add_member"),
    path("committees/<int:pk>/meetings/new/", views.record_meeting, name="record_meeting"),
    path("members/<int:pk>/active/", views.member_active, name="member_active"),
]
