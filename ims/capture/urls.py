app_name = "capture"
urlpatterns = []
