"""One log line per request when IMS_LOG_REQUESTS is on (the default with IMS_LOG_FORMAT=json).

With the JSON format each line is an object: time, level, logger, message, and the fields below,
ready for a log collector. Nothing from the query string or the body is logged.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

logger = logging.getLogger("ims.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        if not settings.IMS_LOG_REQUESTS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        milliseconds = round((time.monotonic() - started) * 1000, 1)
        user = getattr(request, "user", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": milliseconds,
            "bytes": None if response.streaming else len(response.content),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
            "remote_addr": request.META.get("REMOTE_ADDR"),
            "request_id": request.headers.get("X-Request-ID"),
        }
        logger.info("%s %s %s %.1fms", request.method, request.path, response.status_code, milliseconds, extra=fields)
        return response
