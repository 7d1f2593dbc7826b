from django.urls import path

from ims.voice import views

app_name = "voice_api"
urlpatterns = [path("<str:code>/rapidpro", views.rapidpro_webhook, name="rapidpro")]
