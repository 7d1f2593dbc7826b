"""Two-factor authentication with django-otp: an authenticator app's codes (TOTP) and single-use recovery codes.

Required for the programme head and administrators (ims.policy.second_factor), offered to everyone.
Whoever uses it or must signs in in two steps: the password, then a code (ims.site.accounts); until the code
is accepted the session holds only who is half-way (PENDING), so nothing else opens. The API's token
endpoint asks for the code too. Wrong codes count as failed sign-ins for django-axes (per account and
per address, like wrong passwords), on top of django-otp's own slow-down per device.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ims.accounts.models import User

RECOVERY_CODES = 10
# The session key of a sign-in waiting for its second step, and how long it may wait.
PENDING = "ims_second_factor_pending"
PENDING_SECONDS = 10 * 60


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class LockedOut(Exception):
    """Too many failed sign-ins for this account or address (django-axes)."""


def check_code(request, user, code):
    """The device that accepts the code (app code or recovery code), or None; a miss counts as a failed sign-in."""
    credentials = {"username": user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise LockedOut
    code = "".join((code or "").split())
    devices = [*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)]
    for device in devices:
        if device.verify_token(code):
            return device
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return None


def new_app_device(user):
    """An unconfirmed authenticator-app device to scan; confirmed once a code from the app is checked."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


def confirm(device, code):
    """Confirm the app by one of its codes; returns the new recovery codes, or None if the code is wrong."""
    if not device.verify_token("".join((code or "").split())):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name="recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def start_pending(request, user, next_url):
    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": next_url, "since": time.time()}


def pending(request):
    """(user, backend, next page) of a sign-in half-way through, or None when there is none or it waited too long."""
    waiting = request.session.get(PENDING)
    if not waiting or time.time() - waiting["since"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=waiting["user"], is_active=True).first()
    return (user, waiting["backend"], waiting["next"]) if user else None
