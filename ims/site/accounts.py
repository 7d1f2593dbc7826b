from django.contrib.auth import views as auth_views
from django.urls import translate_url

from ims.core.i18n import remember_language


class LoginView(auth_views.LoginView):
    """Email sign-in that switches the interface to the user's preferred language."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        response["Location"] = translate_url(response["Location"], language)
        return remember_language(response, language)
