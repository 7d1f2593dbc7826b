"""Operations in one process: tasks queued with their change, one refresh per burst of changes, email
claims of dead workers, readiness, atomic file writes, answers when the database is away, Sentry.

What needs processes of their own (a killed worker, a full disk, a PostgreSQL restart, two app
servers, backup and restore) is in tests/test_deployment_faults.py and tests/production_stack.py.
"""

import errno
import gzip
import io
import json
import logging
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from pathlib import Path

import brotli
import psycopg
import pytest
from botocore.config import Config
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from PIL import Image
from rest_framework.test import APIClient

from ims.advisory.models import Committee
from ims.analytics.tasks import refresh_standings
from ims.api.throttling import AnonRateThrottle
from ims.assessments.models import Evidence, ReportRevision
from ims.assessments.workflow import transition
from ims.notifications.models import Notification
from ims.notifications.services import _send_email
from ims.operations import backup, health, workers
from ims.operations.errors import unavailability
from ims.operations.management.commands import run_worker
from ims.operations.models import Heartbeat
from ims.operations.request_log import RequestLogMiddleware
from ims.operations.storage import AtomicFileSystemStorage
from tests.deployment import ROOT, clean_environment, multipart
from tests.factories import answer_all
from tests.smtp import HOST

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PUBLICATION_TASKS = [
    "ims.analytics.tasks.refresh_after_publication",
    "ims.notifications.tasks.notify_report_published",
    "ims.remediation.tasks.verify_remediation",
    "ims.reports.tasks.render_report_documents",
]


@pytest.fixture
def submitted(assessment, team):
    transition(assessment, "start", team.monitor)
    answer_all(assessment, team.monitor, noncompliant=("OS.8.7",))
    transition(assessment, "submit", team.monitor)
    return assessment


@pytest.mark.django_db
def test_an_approval_and_its_tasks_commit_together_or_not_at_all(settings, submitted, team):
    settings.TASKS = DATABASE_BACKEND
    send_notices = "ims.notifications.tasks.send_notices"
    waiting = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert waiting == [send_notices]  # the head is told of the submission
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(submitted, "approve", team.head)
        raise RuntimeError("the connection was lost before the commit")
    assert (ReportRevision.objects.count(), DBTaskResult.objects.count()) == (0, 1)

    transition(submitted, "approve", team.head)
    revision = ReportRevision.objects.get()
    # The factory's managers are told too: the waiting task sends their notices with the head's.
    assert DBTaskResult.objects.filter(task_path=send_notices).count() == 1
    queued = DBTaskResult.objects.exclude(task_path=send_notices).order_by("task_path")
    assert [task.task_path for task in queued] == PUBLICATION_TASKS
    assert [task.args_kwargs["args"] for task in queued] == [[revision.pk]] * 2 + [[team.factory.pk], [revision.pk]]


@pytest.mark.django_db
def test_thirty_committee_changes_in_one_transaction_queue_one_standings_refresh(settings, make_factory):
    settings.TASKS = DATABASE_BACKEND
    factories = [make_factory(f"C-{number:02}") for number in range(30)]
    with transaction.atomic():
        for factory in factories:
            Committee.objects.create(factory=factory, formed_on=date(2026, 1, 5))
    refreshes = DBTaskResult.objects.filter(task_path="ims.analytics.tasks.refresh_standings")
    assert refreshes.count() == 1
    Committee.objects.filter(factory=factories[0]).update(is_active=False)
    Committee.objects.get(factory=factories[1]).save()
    assert refreshes.count() == 1  # still waiting: it will see this change too


@pytest.fixture
def notification(settings, submitted, team):
    """A queued email notification of the approved revision, tasks in the database."""
    settings.TASKS = DATABASE_BACKEND
    contact = team.factory.contacts.create(email="owner@team.example", preferred_language="en")
    transition(submitted, "approve", team.head)
    return Notification.objects.create(revision=ReportRevision.objects.get(), contact=contact, channel="email",
                                       language="en")  # fmt: skip


def claimed_by(notification, process_id):
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now(), sending_by=process_id)


@pytest.mark.django_db
def test_an_email_claimed_by_a_worker_whose_heartbeat_stopped_is_sent_without_waiting(notification, smtp_server):
    started = timezone.now() - timedelta(minutes=5)
    workers.beat("worker-a", Heartbeat.Role.WORKER, started)
    claimed_by(notification, "worker-a")
    assert _send_email(notification) == "skipped"  # its worker is alive: it may be sending right now
    assert smtp_server.received == []

    Heartbeat.objects.filter(pk="worker-a").update(seen_at=timezone.now() - timedelta(minutes=2))
    assert _send_email(notification) == "sent"  # the lease (60 s) ran out: long before the 15-minute claim
    assert _send_email(notification) == "skipped"  # and never twice
    assert [message.recipients for message in smtp_server.received] == [[notification.contact.email]]
    assert smtp_server.received[0].message["Message-ID"] == f"<ims.notification.{notification.pk}@localhost>"


@pytest.mark.django_db
def test_an_email_claimed_by_a_worker_that_signed_off_is_sent_at_once_and_one_claimed_by_a_command_waits(
    notification, smtp_server
):
    # A worker stopped by a second SIGTERM deletes its heartbeat and leaves its claim behind.
    claimed_by(notification, "worker-gone")
    assert _send_email(notification) == "sent"

    # A process that writes no heartbeat (a command, a web process) holds its claim for the 15 minutes.
    Notification.objects.filter(pk=notification.pk).update(status="queued")
    claimed_by(notification, "")
    assert _send_email(notification) == "skipped"
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now() - timedelta(minutes=16))
    assert _send_email(notification) == "sent"
    assert len(smtp_server.received) == 2


@pytest.mark.django_db
def test_the_hourly_retry_queues_emails_whose_sender_died_mid_send(notification):
    workers.beat("worker-c", Heartbeat.Role.WORKER, timezone.now())
    claimed_by(notification, "worker-c")
    retries = DBTaskResult.objects.filter(task_path="ims.notifications.tasks.notify_report_published")
    before = retries.count()

    output = StringIO()
    call_command("retry_notifications", stdout=output)
    assert output.getvalue().strip() == "Queued 0 report revision(s) for another try."  # still being sent
    Heartbeat.objects.filter(pk="worker-c").update(seen_at=timezone.now() - timedelta(minutes=2))
    call_command("retry_notifications", stdout=output)
    assert output.getvalue().strip().endswith("Queued 1 report revision(s) for another try.")
    assert retries.count() == before + 1 and retries.last().args_kwargs["args"] == [notification.revision_id]


@pytest.mark.django_db
def test_an_email_refused_every_time_is_tried_six_times_then_left_failed(notification, smtp_server, caplog):
    smtp_server.refuse.add(notification.contact.email)
    with caplog.at_level(logging.ERROR, logger="ims.notifications.outbox"):
        outcomes = [_send_email(notification) for _attempt in range(8)]
    assert outcomes == ["failed"] * 6 + ["skipped"] * 2
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 6)
    assert [record.getMessage() for record in caplog.records] == [
        f"Notification [{notification.pk}] failed 6 times and will not be tried again: "
        f"{{'{notification.contact.email}': (550, b'5.1.1 No such mailbox here')}}"
    ]
    output = StringIO()
    call_command("retry_notifications", stdout=output)
    assert output.getvalue().strip() == "Queued 0 report revision(s) for another try."


@pytest.mark.django_db
def test_a_running_task_is_taken_back_only_from_a_worker_not_alive_and_after_the_lease(settings):
    settings.TASKS = DATABASE_BACKEND
    now = timezone.now()

    def running(worker, started_ago):
        task_id = refresh_standings.enqueue().id
        DBTaskResult.objects.filter(pk=task_id).update(status=TaskResultStatus.RUNNING, worker_ids=[worker],
                                                       started_at=now - started_ago)  # fmt: skip
        return str(task_id)

    workers.beat("worker-alive", Heartbeat.Role.WORKER, now - timedelta(hours=2))
    just_claimed = running("plain-db-worker", timedelta(seconds=5))  # no heartbeat written yet, or ever
    long_running = running("worker-alive", timedelta(hours=1))
    abandoned = running("plain-db-worker", timedelta(minutes=2))
    own_leftover = running("worker-me", timedelta(seconds=1))  # left by this worker's lost connection

    requeued = workers.requeue_abandoned_tasks("worker-me", "default")
    assert sorted(map(str, requeued)) == sorted([abandoned, own_leftover])
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert {str(pk): status for pk, status in statuses.items()} == {
        just_claimed: "RUNNING", long_running: "RUNNING", abandoned: "READY", own_leftover: "READY",
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)  # the worker manages its connection as in production: autocommit
def test_run_worker_waits_a_moment_at_startup_unless_told_not_to(settings, monkeypatch):
    settings.TASKS = DATABASE_BACKEND
    pauses = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("run_worker", "--batch")
        assert len(pauses) == 1 and 0 <= pauses[0] < 1  # a random pause, so workers started together spread out
        call_command("run_worker", "--batch", "--no-startup-delay")
        assert len(pauses) == 1
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def test_run_worker_reload_runs_the_worker_under_djangos_reloader(settings, monkeypatch):
    settings.TASKS = DATABASE_BACKEND
    reloaded = []
    monkeypatch.setattr(run_worker, "run_with_reloader", reloaded.append)
    call_command("run_worker", "--reload", "--no-startup-delay")
    (main,) = reloaded
    assert isinstance(main.__self__, run_worker.ResilientWorker) and main.__self__.startup_delay is False


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


@pytest.mark.django_db
def test_readyz_needs_a_live_worker_and_no_task_waiting_too_long(client, settings, tmp_path):
    settings.TASKS = DATABASE_BACKEND
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (checks["database"]["ok"], checks["storage"]["ok"], checks["worker"]["ok"]) == (True, True, False)

    workers.beat("worker-b", Heartbeat.Role.WORKER, timezone.now())
    assert client.get("/readyz").json()["status"] == "ready"
    # Killed with SIGKILL: the heartbeat stays, and is stale once the lease (60 s) has passed.
    Heartbeat.objects.filter(pk="worker-b").update(seen_at=timezone.now() - timedelta(seconds=61))
    response = client.get("/readyz")
    assert (response.status_code, response.json()["checks"]["worker"]["alive"]) == (503, 0)
    workers.beat("worker-b", Heartbeat.Role.WORKER, timezone.now())

    waiting = refresh_standings.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=timezone.now() - timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert (tasks["ok"], tasks["limit_seconds"]) == (False, 900) and 3600 <= tasks["oldest_waiting_seconds"] < 3660

    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    response = client.get("/readyz")
    storage = response.json()["checks"]["storage"]
    assert storage == {"ok": False, "error": "unavailable", "milliseconds": storage["milliseconds"]}
    assert str(tmp_path) not in response.content.decode()  # no internals in the answer


class _FailingStore(BaseHTTPRequestHandler):
    """An S3 endpoint that answers every request with a server error, counting them."""

    requests = []

    def do_HEAD(self):
        self.requests.append(self.path)
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_readyz_asks_a_failing_bucket_once_and_keeps_the_answer_a_few_seconds(client, settings, monkeypatch):
    server = HTTPServer((HOST, 0), _FailingStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FailingStore.requests.clear()
    try:
        # The storage's own client retries a server error three times, as the production settings do.
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": "private-media-bucket", "endpoint_url": f"http://{HOST}:{server.server_port}",
            "region_name": "us-east-1", "access_key": "key", "secret_key": "secret",
            "client_config": Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        }}}  # fmt: skip
        first, second = client.get("/readyz"), client.get("/readyz")
        assert (first.json()["checks"]["storage"]["ok"], second.json()["checks"]["storage"]["ok"]) == (False, False)
        assert _FailingStore.requests == ["/private-media-bucket"]  # one attempt, and its answer kept
        monkeypatch.setattr(health, "BUCKET_CHECK_SECONDS", 0)
        client.get("/readyz")
        assert len(_FailingStore.requests) == 2
    finally:
        server.shutdown()
    body = first.content.decode()
    assert "private-media-bucket" not in body and str(server.server_port) not in body


def test_a_failed_write_leaves_no_file_and_a_name_is_never_overwritten(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)

    class BrokenUpload(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"%PDF-1.7 the first half"
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        storage.save("reports/a.pdf", BrokenUpload(b"", name="a.pdf"))
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == []

    first = storage.save("reports/a.pdf", ContentFile(b"first"))
    second = storage.save("reports/a.pdf", ContentFile(b"second"))
    assert first == "reports/a.pdf" and second != first
    assert (tmp_path / first).read_bytes() == b"first" and (tmp_path / second).read_bytes() == b"second"


def from_driver(driver_error):
    """Django's OperationalError raised from a driver's error, as Django's database wrapper raises it."""
    error = OperationalError(*driver_error.args)
    error.__cause__ = driver_error
    return error


def test_only_a_lost_connection_or_a_busy_sqlite_counts_as_the_database_being_unavailable(tmp_path):
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE imports (row)")
    holder.execute("BEGIN IMMEDIATE")  # a long import's write lock
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("INSERT INTO imports VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as missing_table:
            other.execute("SELECT * FROM no_such_table")
    finally:
        other.close()
        holder.close()
    errors = {
        "sqlite locked": from_driver(locked.value),
        "sqlite missing table": from_driver(missing_table.value),
        "postgresql shut down by its administrator": from_driver(
            psycopg.errors.AdminShutdown("terminating connection due to administrator command")
        ),
        "postgresql connection failure": from_driver(psycopg.errors.ConnectionFailure("connection failure")),
        "postgresql connection lost": from_driver(
            psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
        ),
        "postgresql statement timeout": from_driver(
            psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
        ),
        "unusable connection": InterfaceError("connection already closed"),
        "a bug": ValueError("not a database error"),
    }
    assert {name: unavailability(error) for name, error in errors.items()} == {
        "sqlite locked": "busy",
        "sqlite missing table": None,
        "postgresql shut down by its administrator": "database",
        "postgresql connection failure": "database",
        "postgresql connection lost": "database",
        "postgresql statement timeout": None,
        "unusable connection": "database",
        "a bug": None,
    }


@pytest.mark.django_db
def test_a_lost_database_answers_503_in_the_callers_format_never_500_and_is_logged(monkeypatch, team, caplog):
    def lost(*args, **kwargs):
        raise from_driver(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))

    monkeypatch.setattr("ims.site.factories.render", lost)
    monkeypatch.setattr("ims.analytics.api.YearsView.get", lost)
    client = Client(raise_request_exception=False)

    page = client.get("/km/factories/")
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "text/html" in page["Content-Type"] and 'lang="km"' in page.content.decode()
    with caplog.at_level(logging.ERROR, logger="ims.api.errors"):
        api = client.get("/api/v1/public/statistics/years", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (api.status_code, api["Retry-After"], api.json()["error"]) == (503, "5", "database")
    assert api.json()["message"] == "数据库暂时无法使用。请稍后再试。"
    (logged,) = [record for record in caplog.records if record.name == "ims.api.errors"]
    assert logged.levelno == logging.ERROR and "terminating connection" in logged.getMessage()


@pytest.mark.django_db
def test_a_database_error_that_waiting_does_not_cure_answers_500_and_is_logged(monkeypatch, caplog):
    def timed_out(*args, **kwargs):
        raise from_driver(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))

    monkeypatch.setattr("ims.analytics.api.YearsView.get", timed_out)
    with caplog.at_level(logging.ERROR, logger="ims.api.errors"):
        api = Client(raise_request_exception=False).get("/api/v1/public/statistics/years")
    assert (api.status_code, api.json()["error"]) == (500, "server_error")
    assert "Retry-After" not in api
    assert any("statement timeout" in record.exc_text for record in caplog.records if record.exc_text)


def test_the_request_log_names_only_a_user_already_loaded_and_never_fails_a_request(settings, caplog, monkeypatch):
    settings.IMS_LOG_REQUESTS = True
    middleware = RequestLogMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()

    def database_away():
        raise OperationalError("the database is away")

    not_loaded = factory.get("/en/factories/")
    not_loaded.user = SimpleLazyObject(database_away)  # loading it would query the session and the user
    member = SimpleLazyObject(lambda: type("Member", (), {"pk": 42, "is_authenticated": True})())
    loaded = factory.get("/en/assessments/")
    loaded.user = member
    assert member.pk == 42  # the view loaded it
    anonymous = factory.get("/api/v1/public/statistics/years")
    anonymous.user = AnonymousUser()
    with caplog.at_level(logging.INFO, logger="ims.requests"):
        statuses = [middleware(request).status_code for request in (not_loaded, loaded, anonymous)]
    assert statuses == [200, 200, 200]
    assert [(record.path, record.user_id) for record in caplog.records] == [
        ("/en/factories/", None), ("/en/assessments/", 42), ("/api/v1/public/statistics/years", None),
    ]  # fmt: skip

    def broken_log(*args, **kwargs):
        raise ValueError("the log handler is broken")

    monkeypatch.setattr("ims.operations.request_log.logger.info", broken_log)
    assert middleware(factory.get("/en/")).status_code == 200


class _SentryIngest(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            body = brotli.decompress(body)
        self.received.append((self.path, self.headers.get("X-Sentry-Auth", ""), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_errors_go_to_sentry_when_a_dsn_is_set():
    server = HTTPServer((HOST, 0), _SentryIngest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code = "import logging; logging.getLogger('ims.reports').error('typesetting failed for r1')"
        environment = {**clean_environment(), "IMS_SENTRY_DSN": f"http://publickey@{HOST}:{server.server_port}/7"}
        result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT,
                                env=environment, capture_output=True, text=True, timeout=60)  # fmt: skip
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    events = [(auth, body) for path, auth, body in _SentryIngest.received if path == "/api/7/envelope/"]
    assert any(b'"type":"event"' in body and b"typesetting failed for r1" in body for _auth, body in events)
    assert all("sentry_key=publickey" in auth for auth, _body in events)


def noisy_photo(size=(640, 480)):
    """A JPEG of noise, so it stays large (over 100 KB) once the upload re-encodes it."""
    rng = random.Random(19)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=95)
    return output.getvalue()


class DiskFullAfterSomeBytes(AtomicFileSystemStorage):
    """The media disk fills up in the middle of a file: the first 64 KB reach the disk, then ENOSPC."""

    written_before_failing = []

    def _save(self, name, content):
        folder = self.path(name).rsplit("/", 1)[0]
        storage = self

        class FillsTheDisk:
            def chunks(self, chunk_size=None):
                data = content.read()
                yield data[:65536]
                partial = Path(folder).glob(".partial-*")
                storage.written_before_failing.extend(path.stat().st_size for path in partial)
                raise OSError(errno.ENOSPC, "No space left on device")

        return super()._save(name, FillsTheDisk())


@pytest.mark.django_db
def test_an_upload_the_storage_refuses_answers_507_in_json_and_keeps_nothing(settings, tmp_path, assessment, team):
    transition(assessment, "start", team.monitor)
    answer_all(assessment, team.monitor)
    media = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.DiskFullAfterSomeBytes",
                                                          "OPTIONS": {"location": str(media)}}}  # fmt: skip
    DiskFullAfterSomeBytes.written_before_failing.clear()
    client = APIClient()
    client.force_authenticate(team.monitor)
    body, content_type = multipart("photo", "exit.jpg", noisy_photo(), "image/jpeg")
    response = client.generic("POST", f"/api/v1/assessments/{assessment.ref}/findings/OS.8.7/evidence/", body,
                              content_type=content_type, HTTP_ACCEPT_LANGUAGE="km")  # fmt: skip
    assert response.status_code == 507
    assert response.json()["error"] == "storage_failed"
    assert (
        response.json()["message"] == "មិនអាចរក្សាទុករូបថតនៅលើម៉ាស៊ីនមេបានទេ; គ្មានអ្វីត្រូវបានរក្សាទុកឡើយ។ សូមព្យាយាមម្តងទៀតនៅពេលក្រោយ។"
    )
    assert DiskFullAfterSomeBytes.written_before_failing == [65536]  # a partial file was on the disk
    assert [path for path in media.rglob("*") if path.is_file()] == []  # and nothing is left of it
    assert not Evidence.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rate_limit_counts_are_shared_by_every_handle_of_the_database_cache(settings):
    """Each thread has its own cache handle and database connection, as each app process has."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ims_cache"}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "600/minute"}}  # fmt: skip
    call_command("createcachetable", verbosity=0)
    answers = []

    def client(requests):
        try:
            request = RequestFactory().get("/api/v1/public/statistics/years", REMOTE_ADDR="203.0.113.7")
            request.user = AnonymousUser()
            answers.append([AnonRateThrottle().allow_request(request, None) for _ in range(requests)])
        finally:
            connection.close()

    try:
        for requests in (2, 2):  # one client after the other
            thread = threading.Thread(target=client, args=(requests,))
            thread.start()
            thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM ims_cache")
            (rows,) = cursor.fetchone()
    finally:
        caches["default"].clear()
    assert answers == [[True, True], [True, False]]  # 3 a minute in all, not 3 per client
    assert rows == 1  # the count is one row of the database table


def write_manifest(directory, manifest):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / backup.MANIFEST).write_text(json.dumps(manifest))


def test_a_manifest_with_malformed_entries_is_refused_with_a_clear_error(tmp_path):
    dump = tmp_path / "database.sqlite3"
    dump.write_bytes(b"a database")
    whole = {"path": "database.sqlite3", "size": 10, "sha256": backup.sha256_of(dump), "kind": "database"}
    manifests = {
        "files not a list": {"format": 1, "database_vendor": "sqlite", "files": "database.sqlite3"},
        "entry not an object": {"format": 1, "database_vendor": "sqlite", "files": [whole, "media/a.pdf"]},
        "entry without a hash": {"format": 1, "database_vendor": "sqlite",
                                 "files": [{key: whole[key] for key in ("path", "size", "kind")}]},
        "size as text": {"format": 1, "database_vendor": "sqlite", "files": [{**whole, "size": "10"}]},
        "media without its name": {"format": 1, "database_vendor": "sqlite", "files": [
            whole, {"path": "database.sqlite3", "size": 10, "sha256": whole["sha256"], "kind": "media"}]},
        "no vendor": {"format": 1, "files": [whole]},
    }  # fmt: skip
    refusals = {}
    for name, manifest in manifests.items():
        write_manifest(tmp_path, manifest)
        with pytest.raises(backup.BackupRefused) as refused:
            backup.verify(tmp_path)
        refusals[name] = str(refused.value)
    assert refusals["files not a list"] == "manifest.json lists no files."
    assert refusals["entry not an object"].startswith("manifest.json is damaged: file entries 2 lack")
    assert refusals["entry without a hash"].startswith("manifest.json is damaged: file entries 1 lack")
    assert refusals["size as text"].startswith("manifest.json is damaged: file entries 1 lack")
    assert refusals["media without its name"].startswith("manifest.json is damaged: file entries 2 lack")
    assert refusals["no vendor"].endswith("the manifest names no database vendor")
    write_manifest(tmp_path, {"format": 1, "database_vendor": "sqlite", "files": [whole]})
    assert backup.verify(tmp_path)["files"] == [whole]


@pytest.fixture
def media_during_a_backup(settings, tmp_path, monkeypatch):
    """A media folder of two report PDFs and a photo, and a database dump that is a file of its own:
    what a backup copies of the media while the app keeps working is the subject here."""
    settings.MEDIA_ROOT = tmp_path / "media"
    names = {"reports/R-1/R-1-r1-summary-en-0a.pdf": b"%PDF summary", "reports/R-1/R-1-r1-detailed-en-0b.pdf":
             b"%PDF detailed", "evidence/2026/05/exit.jpg": b"a photo"}  # fmt: skip
    for name, data in names.items():
        AtomicFileSystemStorage(location=settings.MEDIA_ROOT).save(name, ContentFile(data))

    def dump(directory):
        (directory / "database.sqlite3").write_bytes(b"the database")
        return directory / "database.sqlite3"

    monkeypatch.setattr(backup, "_dump_database", dump)
    return names


def vanishing(monkeypatch, first, then_gone):
    """Opening `first` removes `then_gone`, listed already: a re-rendering's clean-up, or a deletion."""
    opening = AtomicFileSystemStorage.open

    def open_and_race(storage, name, mode="rb"):
        if name == first:
            storage.delete(then_gone)
        return opening(storage, name, mode)

    monkeypatch.setattr(AtomicFileSystemStorage, "open", open_and_race)


def test_a_report_pdf_replaced_during_a_backup_is_left_out_and_named(media_during_a_backup, tmp_path, monkeypatch):
    detailed, summary = sorted(name for name in media_during_a_backup if name.endswith(".pdf"))
    vanishing(monkeypatch, first=detailed, then_gone=summary)
    said = []
    manifest = backup.back_up(tmp_path / "backup", progress=said.append)
    assert manifest["left_out"] == [summary]
    assert sorted(entry["name"] for entry in manifest["files"] if entry["kind"] == "media") == sorted(
        name for name in media_during_a_backup if name != summary
    )
    assert any("Left out: 1 report PDF(s)" in line and "render_reports --verify" in line for line in said)
    assert backup.verify(tmp_path / "backup") == manifest  # the backup is whole without it
    assert not (tmp_path / "backup" / "media" / summary).exists()


def test_a_photo_vanishing_during_a_backup_refuses_it(media_during_a_backup, tmp_path, monkeypatch):
    vanishing(monkeypatch, first="evidence/2026/05/exit.jpg", then_gone="evidence/2026/05/exit.jpg")
    with pytest.raises(backup.BackupRefused) as refused:
        backup.back_up(tmp_path / "backup", progress=lambda line: None)
    photo = "evidence/2026/05/exit.jpg"
    assert str(refused.value) == f"{photo} vanished while it was being backed up; run the backup again."
    assert not (tmp_path / "backup" / backup.MANIFEST).exists()


TYPESETTING_FROM_A_PASSING_THREAD = """
import json, logging, os, threading
from ims.reports import lifeline, typesetting

typesetting.worker_count = lambda: 2  # the pool, however many cores this machine has
stopped = []
logging.getLogger("ims.reports.typesetting").addHandler(type("Keep", (logging.Handler,), {
    "emit": lambda self, record: stopped.append(record.getMessage())})())
jobs = lambda count: iter([(f"<p>Document {number}</p>", f"document-{number}".encode()) for number in range(count)])
stylesheet = "@page { size: A6 }"
thread = threading.Thread(target=lambda: list(typesetting.typeset_many(jobs(2), stylesheet)))
thread.start()
thread.join()  # a request thread of a development server, ended
documents = list(typesetting.typeset_many(jobs(4), stylesheet))
print(json.dumps({"starts": [pdf[:5].decode() for pdf, pages in documents], "stopped": stopped,
                  "variable_left": lifeline.PARENT in os.environ}))
"""


def test_typesetting_from_a_thread_that_ends_leaves_the_pool_working():
    """The fork server dies with the thread that starts it: a passing thread must not start it."""
    result = subprocess.run([sys.executable, "-c", TYPESETTING_FROM_A_PASSING_THREAD], cwd=ROOT,
                            env=clean_environment(), capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"starts": ["%PDF-"] * 4, "stopped": [], "variable_left": False}
