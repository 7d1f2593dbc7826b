"""Answers for the failures of the parts IMS runs on, instead of a bare 500.

- The database is unreachable (a restart, a failover): 503 with Retry-After, so clients (and the
  offline capture app) try again.
- SQLite is locked by a long import (or another writer): 503 "busy", likewise.
- A stored file no longer matches its hash: 500 that says so (it is logged as an error too).

Each in the caller's format: the API's JSON error shape under /api/ or for JSON clients, else a small
HTML page that needs no database to render.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.defaults import server_error as default_server_error

from ims.operations.storage import DamagedFile

RETRY_AFTER_SECONDS = 5


def unavailability(error):
    """'database' or 'busy' when the error means the database cannot be reached or written now, else None."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return "busy" if "locked" in str(error).lower() else "database"
    return None


def _answer(code):
    """(status, title, message) of an answer that a page and a JSON client get alike."""
    if code == "busy":
        return 503, _("Busy"), _("The database is busy with other work, such as an import. Try again in a moment.")
    if code == "database":
        return 503, _("Briefly unavailable"), _("The database is briefly unavailable. Try again in a moment.")
    return 500, _("Damaged file"), _("The stored file is damaged and cannot be served. The error has been logged.")


def wants_json(request):
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("json" in accept and "html" not in accept)


def error_response(request, code):
    status, title, message = _answer(code)
    if wants_json(request):
        response = JsonResponse({"error": code, "message": message, "details": {}}, status=status)
    else:
        page = render_to_string(
            "operations/unavailable.html", {"title": title, "message": message, "language": get_language()}
        )
        response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: called while the uncaught exception is being handled, so sys.exc_info() names it."""
    error = sys.exc_info()[1]
    code = unavailability(error) or ("damaged_file" if isinstance(error, DamagedFile) else None)
    if code is None:
        return default_server_error(request)
    return error_response(request, code)
