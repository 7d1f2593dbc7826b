"""/healthz and /readyz, answered before anything else in the middleware chain.

- /healthz: the process answers (for a container's or load balancer's liveness check). No database.
- /readyz: whether this deployment can do its work: the database answers, the media storage (disk or
  bucket) answers, a task worker's heartbeat is fresh, and no task has waited too long. 200 when every
  required check passes, else 503; the body says which failed, as JSON.

They sit before the host, HTTPS-redirect and session middleware, so a container health check on
http://localhost:8000/healthz works in production.
"""

import os
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from ims.operations.models import Heartbeat
from ims.operations.storage import STORAGE_ERRORS
from ims.operations.workers import alive

PATHS = {"/healthz", "/healthz/", "/readyz", "/readyz/"}


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
    checks = {"database": _timed(_database), "storage": _timed(_storage)}
    if checks["database"]["ok"]:
        checks.update(_background_work())
    else:
        checks["worker"] = checks["tasks"] = {"ok": False, "error": "the database is unavailable"}
    return checks


def _timed(check):
    started = time.monotonic()
    try:
        result = {"ok": True, **(check() or {})}
    except (DatabaseError, *STORAGE_ERRORS) as error:
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result["milliseconds"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _storage():
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        default_storage.connection.meta.client.head_bucket(Bucket=bucket)
        return {"bucket": bucket}
    location = default_storage.location
    os.makedirs(location, exist_ok=True)  # as the first upload would
    if not os.access(location, os.W_OK):
        raise OSError(f"{location} is not writable")
    return {"folder": str(location)}


def _background_work():
    """The newest worker and scheduler heartbeats, and the task that has waited longest."""
    now = timezone.now()
    try:
        workers = alive(Heartbeat.Role.WORKER, now).count()
        scheduler = alive(Heartbeat.Role.SCHEDULER, now).exists()
        backend = task_backends["default"]
        if isinstance(backend, DatabaseBackend):
            from django_tasks_db.models import DBTaskResult

            oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
            waited = round((now - oldest).total_seconds()) if oldest else 0
            limit = settings.IMS_READY_MAX_TASK_WAIT_SECONDS
            tasks = {"ok": waited <= limit, "oldest_waiting_seconds": waited, "limit_seconds": limit}
            worker = {"ok": workers > 0, "alive": workers, "lease_seconds": settings.IMS_WORKER_LEASE_SECONDS}
        else:  # tasks run in the web process itself (the immediate backend): no worker to wait for
            tasks = {"ok": True, "backend": type(backend).__name__}
            worker = {"ok": True, "alive": workers, "required": False}
    except DatabaseError as error:
        failed = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        return {"worker": failed, "tasks": failed}
    return {"worker": worker, "tasks": tasks, "scheduler": {"ok": scheduler, "required": False}}
