from django.contrib.auth import views as auth_views
from django.urls import path

from ims.policy.guards import guard
from ims.site import accounts as views
from ims.site import people

app_name = "accounts"
urlpatterns = [
    path("login/", guard(GET="public.read", POST="public.read")(views.LoginView.as_view()), name="login"),
    # Signing out of no session is harmless: the visitor lands where a signed-out user would.
    path("logout/", guard(POST="public.read")(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "second-factor/",
        guard(GET="public.read", POST="public.read")(views.second_factor),
        name="second_factor",
    ),
    path(
        "second-factor/setup/",
        guard(GET="public.read", POST="public.read")(views.second_factor_setup),
        name="second_factor_setup",
    ),
    path("start/", guard(GET="account.own")(people.start), name="start"),
    path("profile/", guard(GET="account.own", POST="account.own")(views.profile), name="profile"),
    path(
        "password/",
        guard(GET="account.own", POST="account.own")(views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/reset/",
        guard(GET="public.read", POST="public.read")(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        guard(GET="public.read")(
            auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html")
        ),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        guard(GET="public.read", POST="public.read")(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "invitations/",
        guard(GET="invitations.open", POST="invitations.open")(people.invitations_page),
        name="invitations",
    ),
    path(
        "invitation/<str:token>/",
        guard(GET="public.read", POST="public.read")(people.accept_invitation),
        name="accept_invitation",
    ),
    path(
        "access-requests/",
        guard(GET="access_requests.open", POST="access.request")(people.access_requests_page),
        name="access_requests",
    ),
    path(
        "access-requests/<int:request_id>/decide/",
        guard(POST="access_request.decide")(people.decide_access_request),
        name="decide_access_request",
    ),
    path("tokens/", guard(GET="account.own", POST="account.own")(views.tokens), name="tokens"),
    path("tokens/<int:token_id>/revoke/", guard(POST="token.revoke")(views.revoke_token), name="revoke_token"),
]
