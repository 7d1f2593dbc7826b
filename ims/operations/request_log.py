"""One log line per request when IMS_LOG_REQUESTS is on (the default with IMS_LOG_FORMAT=json).

With the JSON format each line is an object: time, level, logger, message, and the fields below,
ready for a log collector. Nothing from the query string or the body is logged.

The line costs no query: the user is named only when the request already loaded it (a signed-in
page, an API call with a token), never by loading the session and the user for the log's sake, so
the line is written during a database outage too. Nothing the logging does can fail the request.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.utils.functional import LazyObject, empty

logger = logging.getLogger("ims.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        if not settings.IMS_LOG_REQUESTS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        try:
            milliseconds = round((time.monotonic() - started) * 1000, 1)
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": milliseconds,
                "bytes": None if response.streaming else len(response.content),
                "user_id": loaded_user_id(request),
                "remote_addr": request.META.get("REMOTE_ADDR"),
                "request_id": request.headers.get("X-Request-ID"),
            }
            logger.info("%s %s %s %.1fms", request.method, request.path, response.status_code, milliseconds,
                        extra=fields)  # fmt: skip
        except Exception:  # a log line is never worth a failed request
            logger.exception("Request log line not written for %s %s", request.method, request.path)
        return response


def loaded_user_id(request):
    """The signed-in user's id if the request has loaded its user already, else None."""
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        user = user._wrapped  # whether the lazy user was loaded, without loading it
        if user is empty:
            return None
    return user.pk if user is not None and user.is_authenticated else None
