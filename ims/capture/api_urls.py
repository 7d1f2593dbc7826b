app_name = "capture_api"
urlpatterns = []
