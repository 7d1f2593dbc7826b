"""Idempotency keys: a write retried with the same Idempotency-Key replays its first answer.

A tablet on a poor connection often cannot tell whether its request arrived; it retries with the
same key and gets the stored answer instead of a second objection or a duplicate action. The same
key sent with a different request is refused (422), since that is a client bug worth seeing.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ims.api.models import IdempotencyRecord
from ims.core.errors import Conflict, DomainError, Invalid

KEY_HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = IdempotencyRecord._meta.get_field("key").max_length
MAX_PATH_LENGTH = IdempotencyRecord._meta.get_field("path").max_length


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


class Replay(Exception):
    """Raised before the handler runs: the stored answer is the answer."""

    def __init__(self, record):
        super().__init__(record.key)
        self.response = Response(
            record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"}
        )


def request_fingerprint(request):
    """SHA-256 of the request body.

    A multipart body is hashed field by field (files by content) because its boundary is random
    per request: the raw bytes of a faithful retry differ.
    """
    if not request.content_type.startswith("multipart/"):
        return hashlib.sha256(request.body).hexdigest()
    digest = hashlib.sha256()
    for name, values in sorted(request.data.lists()):
        for value in values:
            digest.update(f"{name}\0".encode())
            if hasattr(value, "chunks"):
                digest.update(f"{value.name}\0".encode())
                for chunk in value.chunks():
                    digest.update(chunk)
                value.seek(0)
            else:
                digest.update(f"{value}\0".encode())
    return digest.hexdigest()


def purge_expired(now=None):
    """Delete records older than the key lifetime; returns how many went."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def claim(request, key):
    """Reserve the key for this request, or raise Replay / KeyReused / Conflict.

    Called inside the request's transaction: a concurrent retry blocks on the unique (user, key)
    row until the first request commits, then replays its answer.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid(_("An Idempotency-Key must be 1 to %(max)d characters long.") % {"max": MAX_KEY_LENGTH})
    purge_expired()  # opportunistic: keeps the table to a day of keys even without the command
    method, path, fingerprint = request.method, request.get_full_path(), request_fingerprint(request)
    if len(path) > MAX_PATH_LENGTH:  # no IMS address is this long; the record could not hold it
        raise Invalid(
            _("An address longer than %(max)d characters cannot be sent with an Idempotency-Key.")
            % {"max": MAX_PATH_LENGTH}
        )
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                key=key, user=request.user, method=method, path=path, request_sha256=fingerprint
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.get(key=key, user=request.user)
    if not record.matches(method, path, fingerprint):
        raise KeyReused(
            _("This Idempotency-Key was already used for a different request; send a new key for a new request."),
            key=key,
            first_request={"method": record.method, "path": record.path},
        )
    if record.response_status is None:
        raise Conflict(_("A request with this Idempotency-Key is still being processed; retry in a moment."), key=key)
    raise Replay(record)


def store(record, response):
    """Keep the answer (any answer but a server error, which leaves the key free for a retry)."""
    record.response_status = response.status_code
    record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
    record.save(update_fields=["response_status", "response_body"])


class IdempotentWrites:
    """API view mixin: every write runs in one transaction and honours an Idempotency-Key header."""

    idempotency_record = None

    def dispatch(self, request, *args, **kwargs):
        if request.method not in WRITE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 500:
                # The error handler answered instead of raising: undo whatever ran, key included.
                transaction.set_rollback(True)
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(KEY_HEADER)
        # Anonymous writes (asking for a token) have no user to keep a key for.
        if request.method in WRITE_METHODS and key is not None and request.user.is_authenticated:
            self.idempotency_record = claim(request, key)

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.idempotency_record is not None and response.status_code < 500:
            store(self.idempotency_record, response)
        return response
