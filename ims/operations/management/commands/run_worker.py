"""The task worker: django-tasks-db's worker with a heartbeat, takeover of dead workers' tasks, and
patience with the database.

- Before it claims anything it writes a heartbeat, then keeps writing one from a thread.
- Between tasks it puts back in the queue the tasks of workers whose heartbeat stopped.
- A lost database connection (restart, failover, SQLite locked by an import) never ends it: it waits,
  reconnects, and the task that was running when the connection went is run again.
"""

import contextlib
import logging
import os
import random
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from ims.operations import workers
from ims.operations.errors import unavailability
from ims.operations.models import Heartbeat

logger = logging.getLogger("ims.operations.worker")

DATABASE_LOST = (OperationalError, InterfaceError)
MAX_BACKOFF_SECONDS = 10


class ResilientWorker(db_worker.Worker):
    def __init__(self, **options):
        super().__init__(**options)
        self.heartbeat = workers.HeartbeatWriter(self.worker_id, Heartbeat.Role.WORKER)
        self.next_takeover_check = 0.0

    def _first_heartbeat(self):
        workers.beat(self.heartbeat.process_id, self.heartbeat.role, self.heartbeat.started_at)

    def run(self):
        logger.info("Starting worker %s", self.worker_id)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not all poll at once
        workers.register(self.worker_id)
        self._wait_for_database(self._first_heartbeat)  # written before any claim
        beating = workers.HeartbeatThread(self.heartbeat)
        beating.start()
        try:
            while self.running:
                ran = self._wait_for_database(self.run_one)
                if self.batch and not ran:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running and not ran:
                    time.sleep(self.interval)
        finally:
            beating.stop()
            self._sign_off()

    def _wait_for_database(self, step):
        """Run step until it gets through to the database, waiting longer after each failure."""
        backoff = 0.5
        while True:
            try:
                return step()
            except DATABASE_LOST as error:
                if not self.running:
                    raise
                logger.warning("Database unavailable (%s); trying again in %.1f s", str(error).strip(), backoff)
                connection.close()
                self.next_takeover_check = 0.0  # on reconnection, first recover what the outage interrupted
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def run_one(self):
        """Claim and run one task; False when none was waiting."""
        close_old_connections()
        if time.monotonic() >= self.next_takeover_check:
            workers.requeue_abandoned_tasks(self.worker_id, self.backend_name)
            self.next_takeover_check = time.monotonic() + workers.lease().total_seconds() / 2
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                task_result = None  # SQLite busy with another writer: look again shortly
        if task_result is None:
            return False
        self.run_task(task_result)
        return True

    def run_task(self, db_task_result):
        """As django-tasks-db runs a task, except that losing the database (or SQLite's write lock) is not
        the task's failure: it propagates, and the task (still RUNNING under this worker's id) is queued
        again on reconnection. Any other database error (a missing table, a timeout) fails the task."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            arguments = task_result.args
            if task.takes_context:
                arguments = [TaskContext(task_result=task_result), *arguments]
            return_value = task.call(*arguments, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except Exception as error:
            if unavailability(error):
                raise  # the database is away: not the task's fault
            logger.exception("Task %s (%s) failed", db_task_result.pk, db_task_result.task_path)
            db_task_result.set_failed(error)
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _sign_off(self):
        """A worker that stops cleanly removes its heartbeat: /readyz then counts it as gone at once."""
        with contextlib.suppress(*DATABASE_LOST):
            Heartbeat.objects.filter(process_id=self.worker_id).delete()


class Command(db_worker.Command):
    help = (
        "Run the background task worker (emails, report PDFs, statistics). Several may run at once; "
        "the tasks of a worker that stops answering are taken up by the others."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False, worker_id=None)

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):  # fmt: skip
        """As db_worker's, with ResilientWorker."""
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or workers.new_process_id("worker"),
            excluded_queue_names=excluded_queue_names,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":  # the reloaded child, not the watcher
                worker.configure_signals()
            run_with_reloader(worker.run)
            return
        worker.configure_signals()
        worker.run()
