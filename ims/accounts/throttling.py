"""Password guessing: django-axes counts failed sign-ins per account and per client address, on every path.

Every sign-in path goes through Django's `authenticate()` with the request (the web form, the API's token
endpoint) or reports its failures the same way (the second-factor step, ims.accounts.two_factor), so
axes sees them all. After AXES_FAILURE_LIMIT failures for an address, or for an account from anywhere,
sign-in is refused for AXES_COOLOFF_TIME, even with the right password.

Which address a request comes from: the connection's, unless IMS_TRUSTED_PROXY_COUNT proxies of ours
stand in front and append to X-Forwarded-For; then the address the outermost of them saw. A client can
write anything into that header, so only what our proxies appended counts. DRF's throttles (the API's
rate limits, the open data's included) read the same setting (NUM_PROXIES), so they agree.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_address(request):
    """The client's address as our own proxies saw it (DRF's rule for NUM_PROXIES, the same setting)."""
    proxies = settings.IMS_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def account_tried(request, credentials):
    """The account a sign-in names, in one case (addresses match without regard to case)."""
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email")
    if name is None:
        data = getattr(request, "data", None) or request.POST
        name = data.get("username") or data.get("email") or ""
    # django-axes keeps it in 255 characters; no address is longer than 254, so the cut still names the guess.
    return str(name).strip().lower()[:254]


def cool_off_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request, original_response=None, credentials=None):
    """The answer to a sign-in while locked out: the API's error shape, or a page saying how long to wait."""
    message = _("Too many failed sign-in attempts. Sign-in is blocked for %(minutes)s minutes; try again later.") % {
        "minutes": cool_off_minutes()
    }
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
        body = {"error": "locked_out", "message": message, "details": {"wait_seconds": wait}}
        return JsonResponse(body, status=status, headers={"Retry-After": str(wait)})
    return render(request, "accounts/locked_out.html", {"message": message}, status=status)


class SignInThrottle(AxesStandaloneBackend):
    """axes's backend, which refuses a locked-out account or address. Every sign-in path of IMS passes the
    request; a call without one (Django's test client's login) cannot be counted and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
