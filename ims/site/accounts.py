"""Signing in and out, and one's own account: profile, password, API tokens."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ims import policy
from ims.accounts import two_factor
from ims.accounts.forms import PasswordResetInOwnLanguageForm, ProfileForm
from ims.accounts.throttling import locked_out
from ims.api.models import ApiToken
from ims.core.i18n import remember_language, same_page_in


class LoginView(auth_views.LoginView):
    """Email sign-in that keeps the language the page was in, and remembers it on the account.

    Who uses two-factor authentication (or must) goes on to the code step before being signed in.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if policy.asks_for_second_factor(user):
            two_factor.start_pending(self.request, user, self.get_success_url())
            step = "accounts:second_factor" if two_factor.is_enrolled(user) else "accounts:second_factor_setup"
            return redirect(step)
        return signed_in(self.request, user, user.backend, self.get_success_url())


def signed_in(request, user, backend, next_url, device=None):
    """Sign the user in (with the second factor that was checked) and go on in the page's language."""
    request.session.pop(two_factor.PENDING, None)
    login(request, user, backend)
    if device is not None:
        otp_login(request, device)
    language = get_language()
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return remember_language(redirect(same_page_in(next_url, language)), language)


def _sign_in_again(request):
    """The second step without a first one (or after it waited too long): it starts again from the password."""
    return render(request, "accounts/sign_in_again.html", status=200)


def second_factor(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    waiting = two_factor.pending(request)
    if waiting is None:
        return _sign_in_again(request)
    user, backend, next_url = waiting
    error, status = None, 200
    if request.method == "POST":
        try:
            device = two_factor.check_code(request, user, request.POST.get("code"))
        except two_factor.LockedOut:
            return locked_out(request)
        if device is not None:
            return signed_in(request, user, backend, next_url, device)
        error, status = _("This code is not right. Try the newest code from your app, or a recovery code."), 400
    return render(request, "accounts/second_factor.html", {"error": error}, status=status)


def second_factor_setup(request):
    """Set up an authenticator app: scan, confirm with a code, keep the recovery codes. Signs in a pending sign-in."""
    waiting = two_factor.pending(request)
    user = waiting[0] if waiting else request.user
    if not user.is_authenticated:
        return _sign_in_again(request)
    error, status = None, 200
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if request.method == "POST" and device is not None:
        codes = two_factor.confirm(device, request.POST.get("code"))
        if codes is not None:
            if waiting:
                next_url = signed_in(request, user, waiting[1], waiting[2], device)["Location"]
            else:
                otp_login(request, device)
                next_url = reverse("accounts:profile")
            page = render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url})
            return remember_language(page, get_language())
        error, status = _("This code is not right. Enter the code your app shows now."), 400
    else:
        device = two_factor.new_app_device(user)
    context = {
        "error": error,
        "required": policy.second_factor_required(user),
        "qr_code": segno.make(device.config_url).svg_inline(scale=4, title=_("QR code for your authenticator app")),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/second_factor_setup.html", context, status=status)


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile is saved."))
        # The page follows the language just chosen, as the switcher does.
        response = redirect(same_page_in(request.path, user.preferred_language))
        return remember_language(response, user.preferred_language)
    context = {"form": form, "two_factor_enrolled": two_factor.is_enrolled(request.user)}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; saving the new password also revokes the account's API tokens."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed. Your API tokens were revoked with the old one."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetInOwnLanguageForm
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    @property
    def extra_email_context(self):
        return {"site_url": settings.IMS_SITE_URL.rstrip("/")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your new password is set: sign in with it."))
        return response


def tokens(request):
    """One's API tokens: when each was made, last used and expires; a new one is shown once, here."""
    new_key = None
    if request.method == "POST":
        _token, new_key = ApiToken.objects.issue(request.user)
    listed = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    context = {"tokens": listed, "new_key": new_key, "lifetime_days": settings.IMS_API_TOKEN_DAYS}
    return render(request, "accounts/tokens.html", context)


def revoke_token(request, token_id):
    token = policy.get_or_404(request.user, "token.revoke", ApiToken.objects, pk=token_id)
    token.delete()
    messages.success(
        request, _("The token %(prefix)s… is revoked: it no longer opens the API.") % {"prefix": token.prefix}
    )
    return redirect("accounts:tokens")
