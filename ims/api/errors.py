"""One error shape for the whole API: {"error": code, "message": text, "details": {...}}.

The message is in the request's language (Accept-Language), so an integration can show it as is.
Domain errors keep the status the services chose; DRF's own errors are mapped onto the same shape.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.urls import resolve
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from ims.core.errors import DomainError, error_body
from ims.operations.errors import error_response, unavailability
from ims.policy.guards import guard

logger = logging.getLogger(__name__)


def _validation_details(detail):
    """Field errors as {field: [messages]}; errors not tied to a field under "non_field_errors"."""
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def _parse_error(request):
    content_type = getattr(request, "content_type", "") or ""
    if "json" in content_type:
        return "malformed_json", _("The request body is malformed JSON; nothing was changed.")
    return "malformed_request", _("The request body could not be read; nothing was changed.")


# DRF's own codes renamed where the domain already has a name for the same answer.
_DRF_CODES = {"permission_denied": "not_allowed", "authentication_failed": "not_authenticated"}


def handle_api_exception(exc, context):
    """DRF exception handler (set on every API view) producing the single error shape."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", _("The request is too large.")), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("Some fields are not valid; see details."), _validation_details(exc.detail))
        return Response(body, status=exc.status_code)
    if isinstance(exc, exceptions.ParseError):
        code, message = _parse_error(context.get("request"))
        return Response(error_body(code, message), status=exc.status_code)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        details = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
            details["wait_seconds"] = int(exc.wait)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(_DRF_CODES.get(code, code), exc.detail, details)
        return Response(body, status=exc.status_code, headers=headers)

    unavailable = unavailability(exc)
    if unavailable:  # a database restart or a long SQLite import: a moment's wait, not a bug, but logged
        logger.error("Database unavailable in API view %s: %s", context.get("view").__class__.__name__, exc,
                     exc_info=exc)  # fmt: skip
        return error_response(context["request"], unavailable)

    # Anything else is a bug: logged with its traceback, answered in the same shape.
    logger.exception("Unexpected error in API view %s", context.get("view").__class__.__name__)
    return Response(
        error_body("server_error", _("Something went wrong on the server; nothing was changed.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


@guard(**dict.fromkeys(("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), "public.read"))
def unknown_endpoint(request, *args, **kwargs):
    """Any /api/v1/ address that names no endpoint: a JSON 404 rather than an HTML page.

    This catch-all also stops the redirect that adds a missing final slash (a redirected POST
    loses its body), so the answer names the address that exists instead.
    """
    details = {}
    with_slash = f"{request.path}/"
    if not request.path.endswith("/") and resolve(with_slash).func is not unknown_endpoint:
        details["did_you_mean"] = with_slash
    return JsonResponse(error_body("not_found", _("There is no API endpoint at this address."), details), status=404)
