"""Who may keep a response: public pages are stored and revalidated, everything else is never stored.

A public response is what a visitor who is not signed in gets from a GET: the same bytes for everyone, with
no cookie set and no CSRF token in it. Browsers and shared caches may store it but must ask again before each
use (`no-cache`); Django's ConditionalGetMiddleware, inside this one, gives it an ETag from its content and
answers 304 when the page has not changed, so a repeat visit costs one short round trip.

Everything else is `no-store`: pages for a signed-in user, API JSON (still with an ETag, so a client that
keeps a copy itself, like the capture app, can ask with If-None-Match), answers to writes, errors, and any
page carrying a CSRF token or setting a cookie. A view that sets Cache-Control itself (immutable files, the
service worker) keeps its own.
"""

from django.utils.cache import patch_vary_headers

PUBLIC = "public, no-cache"
PRIVATE = "no-store"


def is_public(request, response):
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and response.status_code in (200, 304)
        and not (user is not None and user.is_authenticated)
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.cookies
    )


class CachePolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if is_public(request, response):
            response["Cache-Control"] = PUBLIC
            # A shared cache must not hand a visitor's page to someone signed in, whose session cookie it sees.
            patch_vary_headers(response, ("Cookie",))
        else:
            response["Cache-Control"] = PRIVATE
        return response
