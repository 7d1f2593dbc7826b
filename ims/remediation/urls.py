app_name = "remediation"
urlpatterns = []
