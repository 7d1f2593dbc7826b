"""What IMS refuses in any request before a view sees it: text no database stores faithfully and JSON no
form would send.

- A NUL character: PostgreSQL cannot store it in text (the query fails), SQLite stores it silently and
  every reader after it cuts the text short. Refused in the path, the query string, headers IMS reads,
  and every JSON string and key.
- An unpaired surrogate (`"\\ud800"` in JSON): not a character; it cannot be encoded as UTF-8 to store.
- JSON nested deeper than any IMS document (MAX_DEPTH), numbers JSON parsers read as infinity
  (`1e400`), and `NaN`/`Infinity`, which are not JSON at all.

Each is answered 400 in the caller's format and nothing is changed. Values of the right shape but out of
range (a date in year 9999, a count of 10**30) are the forms' and serializers' to refuse.
"""

import json
import math
import re

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
        value = json.loads(body, parse_float=_finite_float, parse_constant=_not_json)
    except RecursionError:
        raise MalformedJson(_("The request's JSON is nested too deeply; nothing was changed.")) from None
    except (ValueError, UnicodeDecodeError) as error:  # ValueError: malformed, or an integer of 4,300+ digits
        raise MalformedJson(_("The request body is malformed JSON; nothing was changed."), json=str(error)) from None
    _check(value)
    return value


def request_text(request):
    """The texts of a request that reach queries before any form or serializer sees them: the path, the query
    string's names and values, the headers, and the fields of a URL-encoded form (a multipart form's fields are
    left to its form: reading them here would consume the upload)."""
    yield request.path
    for key, values in request.GET.lists():
        yield key
        yield from values
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield value
    if request.content_type == "application/x-www-form-urlencoded":
        for key, values in request.POST.lists():
            yield key
            yield from values
