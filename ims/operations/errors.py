"""Answers for the failures of the parts IMS runs on, instead of a bare 500.

- The database is unreachable (a restart, a failover): 503 with Retry-After, so clients (and the
  offline capture app) try again. Only a lost or refused connection counts: any other database error
  (a missing table, a statement timeout) is a fault that waiting does not cure, answered 500.
- SQLite is locked by a long import (or another writer): 503 "busy", likewise.
- A stored file no longer matches its hash: 500 that says so (it is logged as an error too).
- A request body over the size limit (ims.operations.limits): 413.
- Text no database stores faithfully in the path, query, headers or form (ims.operations.input_guard): 400.

Each in the caller's format: the API's JSON error shape under /api/ or for JSON clients, else a small
HTML page that needs no database to render.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.defaults import server_error as default_server_error

from ims.core.errors import error_body
from ims.operations.storage import DamagedFile

RETRY_AFTER_SECONDS = 5
TYPESETTING_RETRY_SECONDS = 60  # the visitors' typesetting limits count per minute
# PostgreSQL's SQLSTATEs of a server going away or not there yet: administrator or crash shutdown, starting up.
_SERVER_GOING_AWAY = {"57P01", "57P02", "57P03"}


def unavailability(error):
    """'database' or 'busy' when the error means the database cannot be reached or written now, else None.

    - 'database': the connection was lost or refused (SQLSTATE class 08, a server shutting down or
      starting up, or an error the driver raised without a server's answer), or Django's connection
      is no longer usable (InterfaceError).
    - 'busy': SQLite's write lock is held by another connection (SQLITE_BUSY, SQLITE_LOCKED).
    """
    if isinstance(error, InterfaceError):
        return "database"
    if not isinstance(error, OperationalError):
        return None
    driver_error = error.__cause__
    sqlite_error = getattr(driver_error, "sqlite_errorname", None)
    if sqlite_error is not None:
        return "busy" if sqlite_error.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) else None
    if hasattr(driver_error, "sqlstate"):  # psycopg: None when no server answered (connection lost or refused)
        state = driver_error.sqlstate
        return "database" if state is None or state.startswith("08") or state in _SERVER_GOING_AWAY else None
    return None


def _answer(code, limit=None):
    """(status, title, message) of an answer that a page and a JSON client get alike."""
    if code == "too_large":
        message = _("The request is larger than %(limit)s; nothing was received.") % {"limit": filesizeformat(limit)}
        return 413, _("Too large"), message
    if code == "unstorable_input":
        message = _("The request contains a NUL character or an unpaired surrogate; nothing was changed.")
        return 400, _("Not accepted"), message
    if code == "typesetting_busy":
        return 429, _("Try again shortly"), _("Many documents are being prepared just now. Try again in a minute.")
    if code == "busy":
        return 503, _("Busy"), _("The database is busy with other work, such as an import. Try again in a moment.")
    if code == "database":
        return 503, _("Briefly unavailable"), _("The database is briefly unavailable. Try again in a moment.")
    return 500, _("Damaged file"), _("The stored file is damaged and cannot be served. The error has been logged.")


def wants_json(request):
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("json" in accept and "html" not in accept)


def error_response(request, code, limit=None):
    status, title, message = _answer(code, limit)
    if wants_json(request):
        response = JsonResponse(error_body(code, message), status=status)
    else:
        page = render_to_string(
            "operations/unavailable.html", {"title": title, "message": message, "language": get_language()}
        )
        response = HttpResponse(page, status=status)
    if status in (429, 503):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS if status == 503 else TYPESETTING_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def early_error_response(request, code, limit=None):
    """error_response for a middleware that answers before LocaleMiddleware and CommonMiddleware run: in the
    language the request asks for, and with its Content-Length, so the client knows the answer is whole
    without waiting for the connection to close (which the server may delay while it drains a body)."""
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        response = error_response(request, code, limit=limit)
    response["Content-Length"] = str(len(response.content))
    return response


def server_error(request):
    """handler500: called while the uncaught exception is being handled, so sys.exc_info() names it."""
    error = sys.exc_info()[1]
    code = unavailability(error) or ("damaged_file" if isinstance(error, DamagedFile) else None)
    if code is None:
        return default_server_error(request)
    return error_response(request, code)
