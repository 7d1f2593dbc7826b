"""What IMS refuses in any request before a view sees it: text no database stores faithfully and JSON no
form would send.

- A NUL character: PostgreSQL cannot store it in text (the query fails), SQLite stores it silently and
  every reader after it cuts the text short. Refused in the path, the query string, headers IMS reads,
  a posted form's fields, and every JSON string and key.
- An unpaired surrogate (`"\\ud800"` in JSON): not a character; it cannot be encoded as UTF-8 to store.
  Bytes that are not UTF-8 in a query string or form are read as such surrogates and refused with them
  (Django would store U+FFFD in their place); a JSON body must be UTF-8.
- JSON nested deeper than any IMS document (MAX_DEPTH), numbers JSON parsers read as infinity
  (`1e400`), and `NaN`/`Infinity`, which are not JSON at all.

Each is answered 400 in the caller's format and nothing is changed. Values of the right shape but out of
range (a date in year 9999, a count of 10**30) are the forms' and serializers' to refuse; they read numbers
and ids from ASCII digits only (ims.core.numbers).
"""

import codecs
import json
import math
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl

from django.utils.translation import gettext as _

from ims.core.errors import Invalid

MAX_DEPTH = 32


class MalformedJson(Invalid):
    code = "malformed_json"  # as the API names a body DRF's own parser cannot read


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text):
    """Whether the text holds a character no database stores faithfully."""
    return bool(_UNSTORABLE.search(text))


def _refuse_unstorable():
    raise Invalid(_("The request contains a NUL character or an unpaired surrogate; nothing was changed."))


def _finite_float(text):
    value = float(text)
    if math.isinf(value):
        raise Invalid(_("The request contains a number out of range; nothing was changed."))
    return value


def _not_json(name):
    raise Invalid(_("The request contains %(name)s, which is not JSON; nothing was changed.") % {"name": name})


def _check(value, depth=0):
    if depth > MAX_DEPTH:
        raise MalformedJson(_("The request's JSON is nested too deeply; nothing was changed."))
    if isinstance(value, str):
        if unstorable(value):
            _refuse_unstorable()
    elif isinstance(value, dict):
        for key, item in value.items():
            if unstorable(key):
                _refuse_unstorable()
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def load_json(body):
    """The JSON document in `body` (bytes or text), or Invalid saying what is wrong with it."""
    try:
        # JSON between systems is UTF-8, a byte-order mark allowed (RFC 8259); json.loads would also guess
        # UTF-16 and UTF-32 from bytes.
        text = body.removeprefix(codecs.BOM_UTF8).decode("utf-8") if isinstance(body, bytes) else body
        value = json.loads(text, parse_float=_finite_float, parse_constant=_not_json)
    except RecursionError:
        raise MalformedJson(_("The request's JSON is nested too deeply; nothing was changed.")) from None
    except (ValueError, UnicodeDecodeError) as error:  # ValueError: malformed, or an integer of 4,300+ digits
        raise MalformedJson(_("The request body is malformed JSON; nothing was changed."), json=str(error)) from None
    _check(value)
    return value


def _form_fields(encoded: bytes) -> Iterator[str]:
    """The names and values of a query string or URL-encoded form. Bytes that are not UTF-8, sent as they are
    or %-escaped, come out as lone surrogates (Django reads them as U+FFFD and would store that instead)."""
    text = encoded.decode("utf-8", "surrogateescape")
    for key, value in parse_qsl(text, keep_blank_values=True, errors="surrogateescape"):
        yield key
        yield value


def request_text(request):
    """The texts of a request that reach queries before any form or serializer sees them: the path, the query
    string's names and values, the headers, and the fields of a posted form. A multipart form is parsed as
    Django's CSRF check parses it (its files kept for the view). A compressed body is left to what reads it
    once inflated (ims.core.compression): the API's JSON parser checks it the same way."""
    yield request.path
    yield from _form_fields(request.META.get("QUERY_STRING", "").encode("latin-1"))  # WSGI: bytes as Latin-1
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield value
    if "HTTP_CONTENT_ENCODING" in request.META:
        return
    if request.content_type == "application/x-www-form-urlencoded":
        yield from _form_fields(request.body)
    elif request.method == "POST" and request.content_type == "multipart/form-data":
        for key, values in request.POST.lists():
            yield key
            yield from values
