from django.urls import path

from ims.responses import views

app_name = "responses"
urlpatterns = [
    path("findings/<int:finding_id>/objection/", views.object_to, name="object"),
    path("findings/<int:finding_id>/actions/", views.add_corrective_action, name="add_action"),
    path("actions/<int:item_id>/", views.update_corrective_action, name="update_action"),
]
