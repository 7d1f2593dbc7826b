from django.contrib.auth import views as auth_views
from django.urls import path

from ims.policy.guards import guard
from ims.site import accounts as views

app_name = "accounts"
urlpatterns = [
    path("login/", guard(GET="public.read", POST="public.read")(views.LoginView.as_view()), name="login"),
    # Signing out of no session is harmless: the visitor lands where a signed-out user would.
    path("logout/", guard(POST="public.read")(auth_views.LogoutView.as_view()), name="logout"),
]
