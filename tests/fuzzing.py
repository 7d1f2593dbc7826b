"""The malformed-input fuzz test's corpus and machinery (tests/test_fuzz.py runs it).

Every URL pattern of tests/policy_matrix.py's SPECS is sent, as a persona the policy table lets through, its
valid request with one thing made malformed at a time: each query parameter the view reads, each form field
(and each column of an uploaded CSV, each field of an uploaded JSON file), each JSON field (nested ones too),
each path parameter, the headers IMS reads (Idempotency-Key and Authorization on the API), and the body as a
whole. Which query, form and JSON names a view reads is recorded from a first, valid request (the QueryDicts
and JSON objects it gets note every name asked for), so a new filter or optional field is fuzzed without
anyone listing it here. The administration site's patterns are taken from the resolver: malformed ids,
search, ordering and paging, by GET as a superuser.

The values are chosen per kind of field (CORPUS) rather than the whole cross product: a number gets "²", "٣",
10**30, 1e400, NaN, 1.5, -1 and true; a date gets years 1 and 9999, 30 February and Arabic-Indic digits; text
gets a NUL, a lone surrogate, bytes that are not UTF-8 and 5,000 characters (free text, which has no length
limit, all but the last); every JSON field a value nested 100 deep; every body nesting 100,000 deep, UTF-16,
bytes that are not UTF-8, gzip that is not, an empty body and one over the size limit; ODK's XML in
encodings it may not declare.

Each request runs in a savepoint. A response >= 500 fails, and so does a JSON error outside the API's shape.
A request that must be refused also fails if it changed a table, found by comparing the tables its SQL wrote
to (their rows, by checksum) before and after, or stored a file; the savepoint is then rolled back, so one
failure does not hide or cause another. Tables legitimately written by a refused request are named in
UNCHANGED_EXCEPT with the reason. A value the endpoint does not depend on (a header, a write's query string,
a field it ignores: IGNORED_FIELDS, TOLERANT) must not fail, but the request may go through.
"""

import hashlib
import json
import re
import sys
import uuid
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlencode

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls import converters as url_converters
from django.utils import translation

from ims.core import input_checks
from tests.policy_matrix import (
    PERSONAS,
    SPECS,
    WRITE,
    Form,
    Json,
    Raw,
    expected_allowed,
    url_of,
    url_patterns,
)

# Tables a refused request may still write, and why nothing is lost or gained by it.
UNCHANGED_EXCEPT = {
    # The signed-in persona's session: Django saves it when a view touches it (messages, the language).
    "django_session": "the session of the persona sending the request",
    # An Idempotency-Key's record keeps the first answer, refusals included, to replay it to a retry
    # (ims/api/idempotency.py); it holds no domain data and expires after a day.
    "api_idempotencyrecord": "the answer kept for a retry with the same Idempotency-Key",
    # A refused sign-in (wrong or malformed credentials) counts against the account and the address: that is
    # how guessing is limited (ims/accounts/throttling.py, django-axes).
    "axes_accessattempt": "a failed sign-in counted against the account and the address",
}

PLACEHOLDER = "zqfuzzplaceholderzq"
INT_PLACEHOLDER = 987654321
UUID_PLACEHOLDER = uuid.UUID("0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f")

# --- the corpus -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A JSON token json.dumps will not write (1e400, NaN): spliced into the body as it is."""

    text: str


NUL = "a\x00b"
SURROGATE = "a\ud800b"
NOT_UTF8 = b"\xff\xfe\xed\xa0\x80"  # not UTF-8: an invalid start byte, then a surrogate encoded as UTF-8
LONG = "x" * 5000
HUGE_NUMBER = str(10**30)
DEEP = 100  # deeper than any IMS document (ims.core.input_checks.MAX_DEPTH is 32)

ARABIC_INDIC_DATE = "\u0662\u0660\u0662\u0666-\u0660\u0663-\u0660\u0661"  # 2026-03-01 in Arabic-Indic digits

# {kind: (values in a form, values in JSON)}; every JSON field also gets a value nested DEEP levels.
CORPUS = {
    "number": (
        ["²", "٣", HUGE_NUMBER, "1e400", "NaN", "1.5", "-1", NUL],
        ["٣", "²", 10**30, -1, 1.5, True, Literal("1e400"), Literal("NaN"), [], NUL],
    ),
    "amount": (["²", "٣", HUGE_NUMBER, "1e400", "NaN", "-1", NUL], []),  # a fee of 1.50 is a fee
    "date": (
        ["9999-12-31", "0001-01-01", "2026-02-30", ARABIC_INDIC_DATE, NUL],
        ["9999-12-31", "0001-01-01", ARABIC_INDIC_DATE, 20260301, True, NUL],
    ),
    # Short text: a code, a name, a choice.
    "text": ([NUL, SURROGATE, NOT_UTF8, LONG], [NUL, SURROGATE, LONG, {"a": "b"}]),
    # Free text (FREE_TEXT) has no length limit: 5,000 characters are fine there.
    "free text": ([NUL, SURROGATE, NOT_UTF8], [NUL, SURROGATE, {"a": "b"}]),
    "bool": ([NUL, NOT_UTF8], ["²", 10**30, [], NUL]),  # a checkbox is on whatever it sends
}
QUERY_VALUES = [NUL, NOT_UTF8, "²", "٣", HUGE_NUMBER, "9999-12-31", LONG]
PATH_VALUES = [NUL, NOT_UTF8, "²", "٣", LONG]

# Fields whose text has no length limit (a note, an objection, a ruling): long text is not malformed there.
FREE_TEXT = {"note", "notes", "text", "comment", "ruling", "minutes_summary", "decisions"}
FREE_TEXT_IN = {("responses:add_action", "action"), ("api:finding-actions", "action"), ("training:enrolment", "action")}
# Fields whose valid value in the spec does not show their kind (blank, or null in one state).
KIND_OF_NAME = {
    **dict.fromkeys(("row_version", "base_version", "workers_total", "workers_female", "interviews_workers",
                     "interviews_managers", "interviews_union"), "number"),
    **dict.fromkeys(("expires_on", "expires_at"), "date"),
    "fee": "amount",
}  # fmt: skip

# Fields the endpoint does not read, so an odd value there is not refused (the address names the thing).
IGNORED_FIELDS = {
    ("capture_api:finding", "client_uuid"): "the address names the submission",
    ("capture_api:odk_submissions", "assessment_ref"): "the address names the assessment",
    ("capture:import_submit", "assessment_ref"): "the address names the assessment",
    # ODK Central wraps submissions in "results" when it is a list; otherwise it is a field of one submission
    # that names no question, and the import leaves it aside as it does any such field.
    ("capture_api:odk_submissions", "results"): "not a question of the checklist",
}
# RapidPro relays what a worker typed: the webhook keeps the answers it recognises and records the rest as
# free text, so only what the JSON reader refuses must be refused there.
TOLERANT = {"voice_api:rapidpro"}

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def kind_of(pattern, name, value):
    if name in KIND_OF_NAME:
        return KIND_OF_NAME[name]
    if name in FREE_TEXT or (pattern, name) in FREE_TEXT_IN:
        return "free text"
    if isinstance(value, bool) or value in ("true", "false"):
        return "bool"
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        return "number"
    if isinstance(value, str) and DATE_RE.fullmatch(value):
        return "date"
    return "text"


def values_for(kind, as_json):
    form, json_values = CORPUS[kind]
    return [*json_values, nested(DEEP)] if as_json else form


def nested(depth):
    value = "x"
    for _level in range(depth):
        value = [value]
    return value


def label(value):
    if isinstance(value, bytes):
        return "bytes that are not UTF-8"
    if isinstance(value, Literal):
        return value.text
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


# --- requests -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: tuple = ()  # (name, value) pairs
    body: object = None  # Form, Json, Raw or None
    headers: dict = field(default_factory=dict)
    as_json: bool = False

    @property
    def url(self):
        if not self.query:
            return self.path
        return f"{self.path}?{urlencode(self.query, doseq=True)}"


def dump_json(data):
    """JSON text of data, with each Literal spliced in as written."""
    literals = {}

    def swap(value):
        if isinstance(value, Literal):
            marker = f"__literal_{len(literals)}__"
            literals[marker] = value.text
            return marker
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    text = json.dumps(swap(data))  # ensure_ascii: a lone surrogate goes as the escape \ud800
    for marker, literal in literals.items():
        text = text.replace(json.dumps(marker), literal)
    return text.encode()


def has_files(data):
    return any(isinstance(value, SimpleUploadedFile) for value in data.values())


def form_bytes(value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")  # a lone surrogate as a browser never sends it


def urlencoded(data):
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append(f"{quote(name)}={quote(form_bytes(item))}")
    return "&".join(pairs).encode()


def as_received(value):
    """A header as a WSGI server hands it on: its bytes (UTF-8 from the client) read as Latin-1."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def send(client, request):
    headers = {"HTTP_ACCEPT": "application/json"} if request.as_json else {}
    if isinstance(request.body, Raw):
        headers.update(request.body.headers)
    headers.update({name: as_received(value) for name, value in request.headers.items()})
    body = request.body
    if body is None:
        return client.generic(request.method, request.url, **headers)
    if isinstance(body, Form):
        data = {name: rewound(value) for name, value in body.data.items()}
        if has_files(data):
            multipart = {
                name: form_bytes(v) if isinstance(v, str) and not v.isascii() else v for name, v in data.items()
            }
            return client.post(request.url, multipart, **headers)
        return client.generic(
            request.method, request.url, urlencoded(data), content_type="application/x-www-form-urlencoded", **headers
        )
    if isinstance(body, Json):
        return client.generic(request.method, request.url, dump_json(body.data), content_type="application/json",
                              **headers)  # fmt: skip
    return client.generic(request.method, request.url, body.body, content_type=body.content_type, **headers)


def rewound(value):
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
    return value


# --- which fields a view reads ----------------------------------------------------------------------------------


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes each name a view asks it for (in `asked`); its copies (django-axes copies the
    form to log it) note nothing."""

    asked: set | None = None

    def _note(self, key):
        if self.asked is not None:
            self.asked.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


def recording(query_dict, asked):
    copy = RecordingQueryDict(mutable=True)
    for key, values in query_dict.lists():
        copy.setlist(key, values)
    copy._mutable = False
    copy.asked = asked
    return copy


class RecordingDict(dict):
    """A JSON object that notes each name a view or serializer asks it for (in `asked`)."""

    def __init__(self, data, asked):
        super().__init__(data)
        self.asked = asked

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


class Reads:
    """While active, every request's GET and POST note the names asked for in .query and .form, and a JSON
    body read through ims.core.input_checks.load_json (the API's parser, the pages' scripts) in .json."""

    def __init__(self):
        self.query, self.form, self.json = set(), set(), set()

    def _recording_load_json(self, body):
        value = self.original_load_json(body)
        return RecordingDict(value, self.json) if isinstance(value, dict) else value

    def __enter__(self):
        self.original_load_json = input_checks.load_json
        # Every module that imported load_json by name reads it from its own namespace.
        self.readers = [module for module in list(sys.modules.values())
                        if getattr(module, "load_json", None) is self.original_load_json]  # fmt: skip
        for module in self.readers:
            module.load_json = self._recording_load_json
        self.original_get = WSGIRequest.__dict__["GET"]
        self.original_load = WSGIRequest._load_post_and_files
        reads = self

        def get(request):
            if "_recorded_get" not in request.__dict__:
                request.__dict__["_recorded_get"] = recording(reads.original_get.func(request), reads.query)
            return request.__dict__["_recorded_get"]

        def load(request):
            reads.original_load(request)
            request._post = recording(request._post, reads.form)

        WSGIRequest.GET = property(get)
        WSGIRequest._load_post_and_files = load
        return self

    def __exit__(self, *exc):
        WSGIRequest.GET = self.original_get
        WSGIRequest._load_post_and_files = self.original_load
        for module in self.readers:
            module.load_json = self.original_load_json


# --- the probes of one URL pattern ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    where: str  # what was made malformed
    request: Request
    # False where the value is odd but harmless (a header the request does not depend on): no 5xx, but the
    # request may go through.
    refused: bool = True


PREFERRED_STATES = ("in_progress", "approved", "returned", "submitted", "correcting", "planned")


def reaching(world, name, method):
    """(state, persona) for a request the policy lets through, preferring a state in which writes are allowed."""
    spec = SPECS[name]
    states = spec.object_states(world)
    ordered = sorted(states, key=lambda s: PREFERRED_STATES.index(s) if s in PREFERRED_STATES else 0)
    for state in ordered:
        action = spec.actions[method]
        action = action(state) if callable(action) else action
        for persona in PERSONAS:
            if persona != "superuser" and expected_allowed(action, PERSONAS[persona], state):
                return state, persona
    return ordered[0], "superuser"


def converters_by_name():
    """{pattern name: {path parameter: its converter}} from the resolver."""
    found = {}

    def walk(patterns, namespace, inherited):
        for pattern in patterns:
            converters = {**inherited, **getattr(pattern.pattern, "converters", {})}
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)  # fmt: skip
                walk(pattern.url_patterns, inner, converters)
            elif isinstance(pattern, URLPattern):
                found[f"{namespace}:{pattern.name}" if namespace else str(pattern.name)] = converters

    with translation.override("en"):
        walk(get_resolver().url_patterns, "", {})
    return found


def placeholder_for(converter):
    if isinstance(converter, url_converters.IntConverter):
        return INT_PLACEHOLDER
    if isinstance(converter, url_converters.UUIDConverter):
        return UUID_PLACEHOLDER
    return PLACEHOLDER


def path_segment(value):
    return quote(value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"), safe="")


def path_probes(name, kwargs, converters, base):
    """The request with each path parameter malformed. A parameter the resolver reads as a number or a UUID
    does not match such a value: the answer is the resolver's 404, which the probe checks all the same."""
    probes = []
    for key in kwargs:
        placeholder = placeholder_for(converters.get(key))
        with translation.override("en"):
            path = url_of(name, {**kwargs, key: placeholder})
        for value in PATH_VALUES:
            malformed = path.replace(str(placeholder), path_segment(value))
            probes.append(Probe(f"path {key}={label(value)}", replace(base, path=malformed)))
    return probes


def query_probes(names, base):
    """Each query parameter the view reads, malformed. A write's query string only fills in a form's first
    values or chooses a language: it must not fail, but the write may go through."""
    probes = []
    for name in sorted(names):
        kept = tuple((key, value) for key, value in base.query if key != name)
        for value in QUERY_VALUES:
            refused = base.method not in WRITE_METHODS or value == NUL
            probes.append(Probe(f"query {name}={label(value)}", replace(base, query=(*kept, (name, value))), refused))
    return probes


def json_paths(data, prefix=()):
    """(path, value) of every field of a JSON document, into the first item of each list."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key), value
            yield from json_paths(value, (*prefix, key))
    elif isinstance(data, list) and data:
        yield from json_paths(data[0], (*prefix, 0))


def with_value(data, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: with_value(data.get(head), rest, value)}
    copy = list(data)
    copy[head] = with_value(copy[head], rest, value)
    return copy


def refused_in(pattern, name, candidate):
    """Whether the endpoint must refuse this value in this field."""
    if (pattern, name) in IGNORED_FIELDS:
        return False
    if pattern in TOLERANT:
        return candidate in (NUL, SURROGATE) or isinstance(candidate, Literal) or candidate == nested(DEEP)
    return True


def json_field_probes(pattern, data, read=()):
    """(what, the document with one field malformed, whether it must be refused) for every field, and for the
    top-level names the endpoint read beyond those the valid document holds (optional ones)."""
    probes = []
    paths = dict(json_paths(data))
    if isinstance(data, dict):
        paths.update({(name,): None for name in sorted(set(read) - set(data))})
    for path, value in paths.items():
        name = path[-1] if isinstance(path[-1], str) else path[-2]
        if isinstance(value, dict):
            candidates = [nested(DEEP), "²", NUL]
        elif isinstance(value, list):
            candidates = [nested(DEEP), "²", [NUL], [10**30]]
        else:
            candidates = values_for(kind_of(pattern, name, value), as_json=True)
        where = ".".join(str(part) for part in path)
        probes.extend(
            (f"{where}={label(candidate)}", with_value(data, path, candidate), refused_in(pattern, name, candidate))
            for candidate in candidates
        )
    return probes


JSON_BODIES = {
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "bytes that are not UTF-8": b'{"a": "' + NOT_UTF8 + b'"}',
    "an empty body": b"",
    "a list": b"[]",
    "1e400": b"1e400",
    "NaN": b"NaN",
    "a NUL key": b'{"\\u0000": 1}',
}


# Endpoints that also take an XForm instance as XML (ODK Collect posts it so).
XML_PATTERNS = {"capture_api:odk_submissions"}
XML_BODIES = {
    "XML declaring UTF-16-LE": '<?xml version="1.0" encoding="UTF-16-LE"?><data><a>1</a></data>'.encode("utf-16-le"),
    "XML declaring shift_jis": '<?xml version="1.0" encoding="shift_jis"?><data><a>\u8868</a></data>'.encode(
        "shift_jis"
    ),
    "XML declaring an unknown encoding": b'<?xml version="1.0" encoding="x-unknown"?><data/>',
    "XML with an entity": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><data><a>&e;</a></data>',
    "XML with a NUL": b"<data><a>a&#0;b</a></data>",
    "XML nested 100,000 deep": b"<a>" * 100_000 + b"</a>" * 100_000,
    "XML not UTF-8": b'<?xml version="1.0" encoding="UTF-8"?><data><a>' + NOT_UTF8 + b"</a></data>",
    "an empty XML body": b"",
}


def body_probes(name, base, limit):
    body = base.body
    probes = [Probe(f"body: {what}", replace(base, body=Raw(content, "application/xml")))
              for what, content in XML_BODIES.items() if name in XML_PATTERNS]  # fmt: skip
    too_large = b" " * (limit + 1)
    if isinstance(body, Json) or (isinstance(body, Raw) and body.content_type == "application/json"):
        headers = body.headers if isinstance(body, Raw) else {}
        original = dump_json(body.data) if isinstance(body, Json) else body.body
        bodies = {**JSON_BODIES, "UTF-16": original.decode().encode("utf-16"), "over the size limit": too_large,
                  "gzip that is not gzip": original}  # fmt: skip
        # An endpoint that takes an empty object reads no field: what else its body holds is not read at all.
        reads_body = bool(body.data if isinstance(body, Json) else json.loads(body.body))
        for what, content in bodies.items():
            extra = {"HTTP_CONTENT_ENCODING": "gzip"} if what == "gzip that is not gzip" else {}
            refused = reads_body or what == "over the size limit"
            probe = replace(base, body=Raw(content, "application/json", {**headers, **extra}))
            probes.append(Probe(f"body: {what}", probe, refused))
    elif isinstance(body, Form):
        for what, content, content_type in (
            ("form not UTF-8", NOT_UTF8 + b"=" + NOT_UTF8, "application/x-www-form-urlencoded"),
            (
                "multipart without its parts",
                b"--x\r\nContent-Disposition: form-data\r\n\r\n",
                "multipart/form-data; boundary=x",
            ),
            ("multipart with no boundary", b"--x--", "multipart/form-data"),
            ("over the size limit", too_large, "application/x-www-form-urlencoded"),
        ):
            # A multipart body without parts is an empty form: the form decides, as it does for one.
            refused = what != "multipart without its parts"
            probes.append(Probe(f"body: {what}", replace(base, body=Raw(content, content_type)), refused))
    elif isinstance(body, Raw):
        for what, content in (("an empty body", b""), ("over the size limit", too_large)):  # a photo's piece is bytes
            probes.append(Probe(f"body: {what}", replace(base, body=replace(body, body=content))))
    return probes


def file_probes(pattern, name, upload):
    """(what, the form's file with malformed contents, whether it must be refused); a CSV's or a JSON
    document's fields one at a time."""
    content = upload.file.getvalue()
    upload.seek(0)
    variants = [("empty", b"", True), ("not UTF-8", NOT_UTF8, True), ("NUL bytes", b"\x00" * 64, True),
                ("nested 100,000 deep", b"[" * 100_000, True)]  # fmt: skip
    if upload.name.endswith(".csv"):
        header, row = content.decode().splitlines()[:2]
        columns, cells = header.split(","), row.split(",")
        for index, column in enumerate(columns):
            for value in values_for(kind_of(pattern, column, cells[index]), as_json=False):
                changed = [cell.encode() for cell in cells]
                changed[index] = form_bytes(value)
                variants.append(
                    (f"{column}={label(value)}", header.encode() + b"\n" + b",".join(changed) + b"\n", True)
                )
    elif upload.name.endswith(".json"):
        for what, changed, refused in json_field_probes(pattern, json.loads(content)):
            variants.append((what, dump_json(changed), refused))
    return [
        (f"file {name}: {what}", SimpleUploadedFile(upload.name, data, content_type=upload.content_type), refused)
        for what, data, refused in variants
    ]


def form_probes(pattern, data, extra_names, base):
    probes = []
    names = [*data, *sorted(set(extra_names) - set(data) - {"csrfmiddlewaretoken"})]
    for name in names:
        value = data.get(name, "")
        if isinstance(value, SimpleUploadedFile):
            for what, upload, refused in file_probes(pattern, name, value):
                probes.append(Probe(what, replace(base, body=Form({**data, name: upload})), refused))
            continue
        single = value[0] if isinstance(value, list | tuple) and value else value
        for candidate in values_for(kind_of(pattern, name, single), as_json=False):
            changed = [candidate] if isinstance(value, list | tuple) else candidate
            probes.append(Probe(f"form {name}={label(candidate)}", replace(base, body=Form({**data, name: changed}))))
    return probes


def raw_header_probes(base):
    probes = []
    for header, value in base.body.headers.items():
        name = header.removeprefix("HTTP_").replace("_", "-").title()
        for candidate in [NUL, LONG, "²", "٣", "-1", ""]:
            text = f"{value.split(' ')[0]} {candidate}" if " " in value else candidate
            headers = {**base.body.headers, header: as_received(text)}
            probes.append(
                Probe(f"header {name}={label(candidate)}", replace(base, body=replace(base.body, headers=headers)))
            )
    return probes


# Headers IMS or Django reads on any request; each probe sets all of them at once.
READ_HEADERS = ("HTTP_ACCEPT_LANGUAGE", "HTTP_PREFER", "HTTP_X_REQUEST_ID", "HTTP_X_FORWARDED_FOR",
                "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_UPLOAD_OFFSET", "HTTP_RANGE")  # fmt: skip
HEADER_VALUES = [NUL, LONG, "²"]
KEY_VALUES = [NUL, LONG, "", "²"]
AUTHORIZATION_VALUES = ["Token " + LONG, "Token ٣", "Bearer"]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def header_probes(base, api, anonymous):
    probes = []
    for value in HEADER_VALUES:
        headers = {**base.headers, **dict.fromkeys(READ_HEADERS, value)}
        probes.append(Probe(f"headers {label(value)}", replace(base, headers=headers), refused=NUL in value))
    if api:
        for value in AUTHORIZATION_VALUES:
            headers = {**base.headers, "HTTP_AUTHORIZATION": value}
            probes.append(
                Probe(f"header Authorization={label(value)}", replace(base, headers=headers), refused=NUL in value)
            )
        if base.method in WRITE_METHODS:
            for value in KEY_VALUES:
                headers = {**base.headers, "HTTP_IDEMPOTENCY_KEY": value}
                # Any other text is a key; one sent without signing in is not kept at all.
                refused = value in (NUL, LONG, "") and anonymous is False
                probes.append(
                    Probe(f"header Idempotency-Key={label(value)}", replace(base, headers=headers), refused=refused)
                )
    return probes


# --- sending the probes and judging the answers ----------------------------------------------------------------


def table_checksum(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
        digest = hashlib.sha256()
        for row in cursor.fetchall():
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
    return digest.hexdigest()


def database_checksums():
    """{table: checksum} of every table of IMS, for the whole run's before and after."""
    tables = sorted(model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed)
    return {table: table_checksum(table) for table in tables if table not in UNCHANGED_EXCEPT}


def written_tables(queries):
    tables = set()
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in UNCHANGED_EXCEPT:
            tables.add(match.group(2))
    return tables


def error_shape_problem(response):
    if response.status_code < 400 or "json" not in response.get("Content-Type", ""):
        return None
    body = json.loads(response.content)
    if not (isinstance(body, dict) and {"error", "message"} <= set(body)):
        return f"answered {response.status_code} outside the API's error shape: {response.content[:200]!r}"
    return None


def stored_files(root):
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root else set()


def attempt(client, request, refused=True, media=None):
    """None if the request was answered below 500 and (if it must be refused) changed no table and stored no
    file under media, else what went wrong. Whatever it did in the database is rolled back."""
    files = stored_files(media) if refused and request.method in WRITE_METHODS else None
    savepoint = transaction.savepoint_create()
    try:
        with CaptureQueriesContext(connection) as queries:
            try:
                response = send(client, request)
                if response.streaming:
                    b"".join(response.streaming_content)
            except Exception as error:  # the test client raises what the view raised
                return f"server error: {type(error).__name__}: {str(error)[:200]}"
        if response.status_code >= 500:
            return f"server error {response.status_code}"
        written = written_tables(queries.captured_queries) if refused else set()
        after = {table: table_checksum(table) for table in written}
        transaction.savepoint_rollback(savepoint)
        savepoint = None
        changed = sorted(table for table in written if table_checksum(table) != after[table])
        if changed:
            return f"answered {response.status_code} and changed {changed}"
        if files is not None and stored_files(media) != files:
            return f"answered {response.status_code} and stored {sorted(stored_files(media) - files)}"
        return error_shape_problem(response) if request.as_json else None
    finally:
        if savepoint is not None:
            transaction.savepoint_rollback(savepoint)


def probes_of(world, clients, name, method, converters, limit):
    """(persona, state, the malformed requests) for one method of one URL pattern; the valid request is among
    them if it failed."""
    spec = SPECS[name]
    state, persona = reaching(world, name, method)
    kwargs = spec.args(world, state) if spec.args else {}
    with translation.override("en"):
        path = url_of(name, kwargs)
    body = spec.bodies[method](world, state) if method in spec.bodies else None
    query = tuple(spec.query(world).items()) if spec.query else ()
    api = path.startswith("/api/")
    headers = (
        {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid5(UUID_PLACEHOLDER, f"{name} {method}"))}
        if api and method in WRITE_METHODS
        else {}
    )
    base = Request(method, path, query, body, headers, as_json=spec.json)
    with Reads() as reads:
        baseline = attempt(clients[persona], base, refused=False)
    probes = [Probe("the valid request", base, refused=False)] if baseline else []
    probes += query_probes({*dict(query), *reads.query}, base)
    if name != "api:None":
        probes += path_probes(name, kwargs, converters.get(name, {}), base)
    if isinstance(body, Form):
        probes += form_probes(name, body.data, reads.form, base)
    elif isinstance(body, Json):
        for what, data, refused in json_field_probes(name, body.data, reads.json):
            probes.append(Probe(f"json {what}", replace(base, body=Json(data)), refused))
    elif isinstance(body, Raw):
        probes += raw_header_probes(base)
        if body.content_type == "application/json":
            for what, data, refused in json_field_probes(name, json.loads(body.body), reads.json):
                probes.append(Probe(f"json {what}", replace(base, body=replace(body, body=dump_json(data))), refused))
    probes += body_probes(name, base, limit)
    probes += header_probes(base, api, persona == "anonymous")
    return persona, state, probes


def check(world, clients, name, converters, limit, media=None):
    """Every probe of one URL pattern; returns (the lines that went wrong, how many requests were sent)."""
    problems, sent = [], 0
    for method in SPECS[name].actions:
        persona, state, probes = probes_of(world, clients, name, method, converters, limit)
        for probe in probes:
            sent += 1
            problem = attempt(clients[persona], probe.request, probe.refused, media)
            if problem:
                problems.append(f"{method} {probe.request.url[:120]} as {persona} in {state}, {probe.where}: {problem}")
    return problems, sent


def uncovered_patterns():
    """URL patterns neither in SPECS nor the administration site's (fuzzed in their own test)."""
    return sorted(p.name for p in url_patterns() if p.namespace != "admin" and p.name not in SPECS)


# --- the administration site ------------------------------------------------------------------------------------

# Django's admin views are the same code for every model; what differs is each changelist's search, ordering,
# filters and pagination, and each object's id. Sent as a superuser, by GET (the admin's forms are Django's).
ADMIN_QUERY = (("q", LONG), ("o", "²"), ("p", "٣"), ("all", "²"), ("_changelist_filters", LONG), ("e", HUGE_NUMBER))
ADMIN_PATH_VALUES = ["²", LONG, NUL]


def admin_probes(url, kwargs, changelist):
    """The admin address with a NUL in the query, a changelist's query malformed, each path parameter malformed."""
    base = Request("GET", url)
    probes = [Probe(f"query q={label(NUL)}", replace(base, query=(("q", NUL),)))]
    if changelist:
        probes.append(Probe("query q, o, p, all, _changelist_filters, e", replace(base, query=ADMIN_QUERY)))
    for key, value in kwargs.items():
        for candidate in ADMIN_PATH_VALUES:
            malformed = url.replace(f"/{value}/", f"/{path_segment(candidate)}/", 1)
            probes.append(Probe(f"path {key}={label(candidate)}", replace(base, path=malformed)))
    return probes


def check_admin(client, url, kwargs, changelist):
    problems = []
    probes = admin_probes(url, kwargs, changelist)
    for probe in probes:
        problem = attempt(client, probe.request)
        if problem:
            problems.append(f"GET {probe.request.url[:120]}, {probe.where}: {problem}")
    return problems, len(probes)
