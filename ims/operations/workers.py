"""Long-running processes that survive each other: heartbeats, and taking over the tasks of a dead worker.

A worker claims a task by marking it RUNNING with its id (django-tasks-db). If the worker dies
(SIGKILL, out of memory, machine lost) the task would stay RUNNING forever; here every worker writes
a heartbeat, and a task whose worker has been silent for the lease is put back in the queue for any
worker to run again. Tasks are therefore run at least once, and each is written to be run again
safely (emails check their per-recipient record, PDFs their stored hash).
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from ims.operations.models import Heartbeat

logger = logging.getLogger(__name__)

# A task taken up again this many times is failed instead: it kills its workers.
MAX_ATTEMPTS = 5
_current_process_id = None


class AbandonedTooOften(Exception):
    """Raised into a task's record when it was taken up MAX_ATTEMPTS times and never finished."""


def new_process_id(role):
    host = socket.gethostname()[:32]
    return f"{role}-{host}-{os.getpid()}-{get_random_string(8)}"


def current_process_id():
    """The id of this process's heartbeat when it is a worker, else None (web, commands, tests)."""
    return _current_process_id


def lease():
    return timedelta(seconds=settings.IMS_WORKER_LEASE_SECONDS)


def beat(process_id, role, started_at):
    Heartbeat.objects.update_or_create(
        process_id=process_id,
        defaults={
            "role": role,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def alive(role, now=None):
    now = now or timezone.now()
    return Heartbeat.objects.filter(role=role, seen_at__gte=now - lease())


class HeartbeatWriter:
    """Writes one process's heartbeat; a failure (the database restarting) waits for the next beat."""

    def __init__(self, process_id, role):
        self.process_id, self.role = process_id, role
        self.started_at = timezone.now()

    def beat_once(self):
        try:
            close_old_connections()
            beat(self.process_id, self.role, self.started_at)
            return True
        except DatabaseError as error:
            logger.warning("Heartbeat not written: %s", error)
            connection.close()
            return False


class HeartbeatThread(threading.Thread):
    """Beats every IMS_WORKER_HEARTBEAT_SECONDS in its own database connection, even during a long task."""

    def __init__(self, writer):
        super().__init__(name=f"heartbeat-{writer.role}", daemon=True)
        self.writer = writer
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(settings.IMS_WORKER_HEARTBEAT_SECONDS):
            self.writer.beat_once()
        connection.close()

    def stop(self):
        self.stopped.set()


def register(process_id):
    global _current_process_id
    _current_process_id = process_id


def requeue_abandoned_tasks(own_id, backend_name):
    """Put back in the queue the RUNNING tasks whose worker is not alive, and this worker's own leftovers.

    Called between tasks, so a RUNNING task marked with this worker's own id is one that a lost
    database connection left behind. Another worker's task is taken back only when that worker has
    no live heartbeat and the task started longer than the lease ago: a worker that claimed it a
    moment ago may not have written its first heartbeat yet. (A worker that writes none at all, a
    plain `manage.py db_worker`, loses its tasks after the lease: run `manage.py run_worker` only.)
    Returns the ids requeued.
    """
    requeued = []
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    with exclusive_transaction(running.db):
        # The heartbeats are read once the tasks are locked, so no claim or beat is judged stale.
        tasks = list(running.select_for_update(skip_locked=True))
        now = timezone.now()
        live = set(alive(Heartbeat.Role.WORKER, now).values_list("process_id", flat=True)) - {own_id}
        for task in tasks:
            last = task.worker_ids[-1] if task.worker_ids else None
            if last != own_id and (last in live or task.started_at is None or task.started_at > now - lease()):
                continue
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                task.set_failed(AbandonedTooOften(f"taken up {len(task.worker_ids)} times and never finished"))
                logger.error("Task %s (%s) failed: its workers kept stopping", task.pk, task.task_path)
                continue
            DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY)
            requeued.append(task.pk)
            logger.warning("Task %s (%s) taken up again: worker %s stopped", task.pk, task.task_path, last)
    return requeued


def purge_old_heartbeats(days=7):
    """Heartbeats of processes gone for a week: nothing they claimed is still waiting for their lease."""
    deleted, _by_model = Heartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
