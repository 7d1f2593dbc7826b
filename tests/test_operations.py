"""Operations in one process: tasks queued with their change, one refresh per burst of changes, email
claims of dead workers, readiness, atomic file writes, answers when the database is away, Sentry.

What needs processes of their own (a killed worker, a full disk, a PostgreSQL restart, two app
servers, backup and restore) is in tests/test_deployment_faults.py and tests/production_stack.py.
"""

import gzip
import subprocess
import sys
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ims.advisory.models import Committee
from ims.assessments.models import ReportRevision
from ims.assessments.workflow import transition
from ims.notifications.models import Notification
from ims.notifications.services import _send_email
from ims.operations import workers
from ims.operations.models import Heartbeat
from ims.operations.storage import AtomicFileSystemStorage
from tests.deployment import ROOT, clean_environment
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
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(submitted, "approve", team.head)
        raise RuntimeError("the connection was lost before the commit")
    assert (ReportRevision.objects.count(), DBTaskResult.objects.count()) == (0, 0)

    transition(submitted, "approve", team.head)
    revision = ReportRevision.objects.get()
    queued = DBTaskResult.objects.order_by("task_path")
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


@pytest.mark.django_db
def test_an_email_claimed_by_a_worker_whose_heartbeat_stopped_is_sent_without_waiting(
    settings, submitted, team, smtp_server
):
    settings.TASKS = DATABASE_BACKEND
    contact = team.factory.contacts.create(email="owner@team.example", preferred_language="en")
    transition(submitted, "approve", team.head)
    notification = Notification.objects.create(revision=ReportRevision.objects.get(), contact=contact,
                                               channel="email", language="en")  # fmt: skip
    started = timezone.now() - timedelta(minutes=5)
    workers.beat("worker-a", Heartbeat.Role.WORKER, started)
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now(), sending_by="worker-a")
    assert _send_email(notification) == "skipped"  # its worker is alive: it may be sending right now
    assert smtp_server.received == []

    Heartbeat.objects.filter(pk="worker-a").update(seen_at=timezone.now() - timedelta(minutes=2))
    assert _send_email(notification) == "sent"  # the lease (60 s) ran out: long before the 15-minute claim
    assert _send_email(notification) == "skipped"  # and never twice
    assert [message.recipients for message in smtp_server.received] == [[contact.email]]
    assert smtp_server.received[0].message["Message-ID"] == f"<ims.notification.{notification.pk}@localhost>"


@pytest.mark.django_db
def test_the_hourly_retry_queues_emails_whose_sender_died_mid_send(settings, submitted, team):
    from io import StringIO

    from django.core.management import call_command

    settings.TASKS = DATABASE_BACKEND
    contact = team.factory.contacts.create(email="owner@team.example", preferred_language="en")
    transition(submitted, "approve", team.head)
    revision = ReportRevision.objects.get()
    notification = Notification.objects.create(revision=revision, contact=contact, channel="email", language="en")
    workers.beat("worker-c", Heartbeat.Role.WORKER, timezone.now())
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now(), sending_by="worker-c")
    retries = DBTaskResult.objects.filter(task_path="ims.notifications.tasks.notify_report_published")
    before = retries.count()

    output = StringIO()
    call_command("retry_notifications", stdout=output)
    assert output.getvalue().strip() == "Queued 0 report revision(s) for another try."  # still being sent
    Heartbeat.objects.filter(pk="worker-c").update(seen_at=timezone.now() - timedelta(minutes=2))
    call_command("retry_notifications", stdout=output)
    assert output.getvalue().strip().endswith("Queued 1 report revision(s) for another try.")
    assert retries.count() == before + 1 and retries.last().args_kwargs["args"] == [revision.pk]


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

    from ims.analytics.tasks import refresh_standings

    waiting = refresh_standings.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=timezone.now() - timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert (tasks["ok"], tasks["limit_seconds"]) == (False, 900) and 3600 <= tasks["oldest_waiting_seconds"] < 3660

    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    assert client.get("/readyz").json()["checks"]["storage"]["ok"] is False


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


@pytest.mark.django_db
def test_a_lost_database_answers_503_in_the_callers_format_never_500(monkeypatch, team):
    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("ims.factories.views.render", lost)
    monkeypatch.setattr("ims.analytics.api.YearsView.get", lost)
    client = Client(raise_request_exception=False)

    page = client.get("/km/factories/")
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "text/html" in page["Content-Type"] and 'lang="km"' in page.content.decode()
    api = client.get("/api/v1/public/statistics/years", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (api.status_code, api["Retry-After"], api.json()["error"]) == (503, "5", "database")
    assert api.json()["message"] == "数据库暂时无法使用。请稍后再试。"


class _SentryIngest(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli

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


@pytest.mark.django_db
def test_an_upload_the_storage_refuses_answers_507_in_json_and_keeps_nothing(settings, tmp_path, assessment, team):
    from rest_framework.test import APIClient

    from ims.assessments.models import Evidence
    from tests.deployment import jpeg_photo, multipart

    transition(assessment, "start", team.monitor)
    answer_all(assessment, team.monitor)
    (tmp_path / "a-file").write_text("the media folder cannot be created below a file")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    client = APIClient()
    client.force_authenticate(team.monitor)
    body, content_type = multipart("photo", "exit.jpg", jpeg_photo(), "image/jpeg")
    response = client.generic("POST", f"/api/v1/assessments/{assessment.ref}/findings/OS.8.7/evidence/", body,
                              content_type=content_type, HTTP_ACCEPT_LANGUAGE="km")  # fmt: skip
    assert response.status_code == 507
    assert response.json()["error"] == "storage_failed"
    assert (
        response.json()["message"] == "មិនអាចរក្សាទុករូបថតនៅលើម៉ាស៊ីនមេបានទេ; គ្មានអ្វីត្រូវបានរក្សាទុកឡើយ។ សូមព្យាយាមម្តងទៀតនៅពេលក្រោយ។"
    )
    assert not Evidence.objects.exists()
