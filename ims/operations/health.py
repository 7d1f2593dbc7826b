"""/healthz and /readyz, answered before anything else in the middleware chain.

- /healthz: the process answers. For a container's health check and for load balancers: one app
  server is fit to take requests whatever the rest of the deployment does. No database.
- /readyz: whether this deployment can do its work, for monitoring: the database answers, the media
  storage (disk or bucket) answers, a task worker's heartbeat is fresh, and no task has waited too
  long. 200 when every required check passes, else 503, with JSON saying which check failed. The
  answer names no internals (no error text, bucket or folder: those go to the log), and the TLS proxy
  does not pass /readyz on (deploy/Caddyfile): monitoring asks an app server on the inside network.
  A load balancer must not use it: a stopped worker would take every app server out of service.

They sit before the host, HTTPS-redirect and session middleware, so a container health check on
http://localhost:8000/healthz works in production.
"""

import logging
import math
import os
import time

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from ims.operations.models import Heartbeat
from ims.operations.storage import STORAGE_ERRORS
from ims.operations.workers import alive

logger = logging.getLogger(__name__)

PATHS = {"/healthz", "/healthz/", "/readyz", "/readyz/"}
# The bucket is asked once, briefly, and the answer kept this long in each process: a monitor polling
# every few seconds costs the store one request, and an unreachable store holds a web process for
# about two seconds, not the storage client's three attempts of five.
BUCKET_CHECK_SECONDS = 5
_BUCKET_PROBE = Config(connect_timeout=2, read_timeout=2, retries={"total_max_attempts": 1})


class _BucketCheck:
    """This process's client for checking the bucket, and its last answer (failure None: it answered)."""

    storage = client = failure = None
    checked_at = -math.inf


_bucket_check = _BucketCheck()


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS:
            return self.get_response(request)
        if request.path.startswith("/healthz"):
            response = JsonResponse({"status": "alive"})
        else:
            checks = readiness()
            ready = all(check["ok"] for check in checks.values() if check.get("required", True))
            response = JsonResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                                    status=200 if ready else 503)  # fmt: skip
        response["Cache-Control"] = "no-store"
        return response


def readiness():
    checks = {"database": _timed("database", _database), "storage": _timed("storage", _storage)}
    if checks["database"]["ok"]:
        checks.update(_background_work())
    else:
        checks["worker"] = checks["tasks"] = {"ok": False, "error": "database_unavailable"}
    return checks


def _timed(name, check):
    started = time.monotonic()
    try:
        check()
        result = {"ok": True}
    except (DatabaseError, *STORAGE_ERRORS) as error:
        logger.warning("Not ready: the %s check failed: %s: %s", name, type(error).__name__, error)
        result = {"ok": False, "error": "unavailable"}
    result["milliseconds"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _storage():
    storage = storages["default"]
    if getattr(storage, "bucket_name", None):
        _bucket_answers(storage)
        return
    location = storage.location
    os.makedirs(location, exist_ok=True)  # as the first upload would
    if not os.access(location, os.W_OK):
        raise OSError(f"{location} is not writable")


def _bucket_answers(storage):
    """HEAD the bucket with a client that tries once, briefly; the answer stands for BUCKET_CHECK_SECONDS."""
    check = _bucket_check
    if check.storage is not storage:
        options = {**settings.STORAGES["default"].get("OPTIONS", {})}
        options["client_config"] = storage.client_config.merge(_BUCKET_PROBE)
        check.storage, check.client = storage, type(storage)(**options).connection.meta.client
        check.checked_at = -math.inf
    if time.monotonic() - check.checked_at >= BUCKET_CHECK_SECONDS:
        try:
            check.client.head_bucket(Bucket=storage.bucket_name)
            check.failure = None
        except STORAGE_ERRORS as error:
            check.failure = error
        check.checked_at = time.monotonic()
    if check.failure is not None:
        raise check.failure.with_traceback(None)


def _background_work():
    """The newest worker and scheduler heartbeats, and the task that has waited longest."""
    now = timezone.now()
    try:
        workers = alive(Heartbeat.Role.WORKER, now).count()
        scheduler = alive(Heartbeat.Role.SCHEDULER, now).exists()
        backend = task_backends["default"]
        if isinstance(backend, DatabaseBackend):
            oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
            waited = round((now - oldest).total_seconds()) if oldest else 0
            limit = settings.IMS_READY_MAX_TASK_WAIT_SECONDS
            tasks = {"ok": waited <= limit, "oldest_waiting_seconds": waited, "limit_seconds": limit}
            worker = {"ok": workers > 0, "alive": workers, "lease_seconds": settings.IMS_WORKER_LEASE_SECONDS}
        else:  # tasks run in the web process itself (the immediate backend): no worker to wait for
            tasks = {"ok": True, "backend": type(backend).__name__}
            worker = {"ok": True, "alive": workers, "required": False}
    except DatabaseError as error:
        logger.warning("Not ready: the background work could not be read: %s: %s", type(error).__name__, error)
        failed = {"ok": False, "error": "unavailable"}
        return {"worker": failed, "tasks": failed}
    return {"worker": worker, "tasks": tasks, "scheduler": {"ok": scheduler, "required": False}}
