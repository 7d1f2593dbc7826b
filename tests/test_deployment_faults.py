"""The background work of a real deployment when its processes die: the task worker killed with SIGKILL
while it sends the publication emails and while it typesets the PDFs, and a media disk that fills up
during a re-rendering.

Each test runs `manage.py run_worker` processes against a database of its own, of the suite's kind
(a SQLite file, or a database on the suite's PostgreSQL server), prepared once per module.
"""

import asyncio
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings

from tests.deployment import PASSWORD, ROOT, ApiClient, Deployment, descendants, running, wait_until
from tests.smtp import HOST, Collector, SmtpServer

CONTACTS = ["owner@factory.example", "hr@factory.example", "gm@factory.example"]
DOCUMENTS = 6  # detailed and summary, in three languages


def contact_addresses(messages):
    """The factory contacts' addresses among the recipients (the head and the manager are told too, by account)."""
    return [address for message in messages for address in message.recipients if address in CONTACTS]


class Holding(Collector):
    """Holds the first attempt at the server's `held` recipient at RCPT until the test releases it."""

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        server = self.server
        if address == server.held and not server.released.is_set():
            server.holding.set()
            await server.released.wait()
            return "421 4.3.0 Try again later"  # the client that sent this is gone anyway
        return await super().handle_RCPT(smtp, session, envelope, address, rcpt_options)


class HeldSmtpServer(SmtpServer):
    """The test SMTP server, except that the first attempt at one recipient is held at RCPT until released."""

    collector = Holding

    def __init__(self, held):
        super().__init__()
        self.held, self.holding, self.released = held, threading.Event(), None

    def start(self):
        self.released = asyncio.Event()  # awaited in the controller's event loop
        super().start()

    def release(self):
        """Let the held exchange go on (from any thread)."""
        self._controller.loop.call_soon_threadsafe(self.released.set)

    def stop(self):
        if self._controller is not None:
            self.release()
        super().stop()


def _database_kind():
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


@pytest.fixture(scope="module")
def template(tmp_path_factory, worker_id):
    """A database migrated, with the content loaded and a small programme seeded, to copy for each test."""
    directory = tmp_path_factory.mktemp("deployment-template")
    if _database_kind() == "sqlite3":
        url, cleanup = f"sqlite:///{directory / 'template.sqlite3'}", None
    else:
        server = settings.DATABASES["default"]
        name = f"{server['NAME'].removeprefix('test_')}_deploy_{worker_id}"
        url, cleanup = _postgres_url(server, name), name
        _postgres(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    deployment = Deployment(directory, url)
    deployment.manage("migrate", "--noinput", "-v0")
    deployment.manage("load_content", "-v0")
    seeded = deployment.scenario("seed")
    yield url, seeded
    if cleanup:
        _postgres(settings.DATABASES["default"], f'DROP DATABASE IF EXISTS "{cleanup}" WITH (FORCE)')


def _postgres_url(server, name):
    user = server.get("USER") or ""
    password = f":{server['PASSWORD']}" if server.get("PASSWORD") else ""
    host = server.get("HOST") or ""
    port = f":{server['PORT']}" if server.get("PORT") else ""
    at = "@" if user else ""
    if host.startswith("/"):  # a socket folder
        return f"postgres://{user}{password}{at}/{name}?host={host}"
    return f"postgres://{user}{password}{at}{host}{port}/{name}"


def _postgres(server, *statements):
    parameters = {key: value for key, value in {"host": server.get("HOST"), "port": server.get("PORT"),
                  "user": server.get("USER"), "password": server.get("PASSWORD")}.items() if value}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **parameters) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture
def deployment(template, tmp_path, request):
    """A fresh copy of the template database, and a Deployment on it that stops its processes afterwards."""
    url, _seeded = template
    if _database_kind() == "sqlite3":
        copy = tmp_path / "ims.sqlite3"
        shutil.copyfile(urlsplit(url).path, copy)
        url, name = f"sqlite:///{copy}", None
    else:
        server = settings.DATABASES["default"]
        source = urlsplit(url).path.lstrip("/")
        name = f"{source}_{request.node.name[:20]}".lower()
        _postgres(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        url = _postgres_url(server, name)
    deployment = Deployment(tmp_path / "deployment", url)
    yield deployment
    deployment.stop_all()
    if name:
        _postgres(settings.DATABASES["default"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_worker_killed_while_sending_leaves_every_email_sent_exactly_once(deployment):
    smtp = HeldSmtpServer(held=CONTACTS[1])
    smtp.start()
    try:
        mail = {"IMS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "IMS_EMAIL_HOST": HOST,
                "IMS_EMAIL_PORT": smtp.port}  # fmt: skip
        deployment.scenario("publish")
        # The worker alone this time (no supervisor): the test restarts it itself.
        first = deployment.start([sys.executable, "manage.py", "run_worker"], name="worker-1", **mail)
        # One contact's email is sent; the held contact's is under way when the worker is killed.
        wait_until(lambda: smtp.holding.is_set(), timeout=120, what="the worker to be sending the held email")
        sent_before = contact_addresses(smtp.received)
        assert len(sent_before) == 1 and CONTACTS[1] not in sent_before
        deployment.kill(first)
        smtp.release()

        second = deployment.start([sys.executable, "manage.py", "run_worker"], name="worker-2", **mail)
        wait_until(lambda: _all_done(deployment), timeout=240, what="every task to finish after the takeover")
        deployment.stop(second)
    finally:
        smtp.close()

    delivered = sorted(contact_addresses(smtp.received))
    assert delivered == sorted(CONTACTS)  # each contact once: none lost, none sent twice
    outcome = deployment.scenario("state")
    assert outcome["notifications"] == dict.fromkeys(CONTACTS, "sent")
    notify = next(task for task in outcome["tasks"] if task["task"] == "notify_report_published")
    assert (notify["status"], notify["attempts"]) == ("SUCCESSFUL", 2)  # taken up again by the second worker
    to_contacts = [message for message in smtp.received if contact_addresses([message])]
    assert len({message.message["Message-ID"] for message in to_contacts}) == len(CONTACTS)


def test_a_worker_killed_while_typesetting_leaves_no_process_behind_and_the_next_renders_all_six(deployment):
    deployment.scenario("publish")
    media = Path(deployment.environment["IMS_MEDIA_ROOT"])
    first = deployment.start("worker", name="worker-1")
    supervisor_pid = first.pid
    # Under supervision (deploy/ims worker): supervisord > run_worker > fork server > typesetting processes.
    typesetting = wait_until(lambda: _typesetting_processes(supervisor_pid), timeout=180,
                             what="the worker to start typesetting")  # fmt: skip
    worker_pid = _worker_pid(supervisor_pid)
    children = descendants(worker_pid)
    os.kill(worker_pid, signal.SIGKILL)  # the worker alone, as the kernel's OOM killer would
    wait_until(lambda: not running({worker_pid}), timeout=30, what="the killed worker to be gone")
    # Counted once it is gone, before a successor can take the task up (its heartbeat stays fresh for the lease).
    assert len(list(media.rglob("*.pdf"))) < DOCUMENTS, "the kill came after typesetting"
    wait_until(lambda: not running(children), timeout=30, what=f"the worker's children {sorted(children)} to end")
    assert typesetting <= children

    # supervisord starts a new worker, which takes the rendering up once the dead one's lease runs out.
    wait_until(lambda: _all_done(deployment), timeout=300, what="the rendering to be taken up and finished")
    outcome = deployment.scenario("state")
    stored = {str(path.relative_to(media)) for path in media.rglob("*.pdf")}
    assert len(outcome["pdfs"]) == DOCUMENTS
    assert {pdf["name"] for pdf in outcome["pdfs"]} <= stored
    assert all(_sha256(media / pdf["name"]) == pdf["sha256"] for pdf in outcome["pdfs"])
    assert not [path for path in media.rglob(".partial-*")]
    render = next(task for task in outcome["tasks"] if task["task"] == "render_report_documents")
    assert render["status"] == "SUCCESSFUL" and render["attempts"] == 2

    everything = descendants(supervisor_pid) | {supervisor_pid}
    deployment.stop(first)
    wait_until(lambda: not running(everything), timeout=60, what="every process of the worker role to end")


def test_a_full_media_disk_during_a_rerendering_keeps_the_old_pdf_served_intact(deployment):
    """The media folder is a 3 MB filesystem of its own (tmpfs in a user and mount namespace: no root needed)."""
    published = deployment.scenario("publish")
    media = Path(deployment.environment["IMS_MEDIA_ROOT"])
    media.mkdir(parents=True, exist_ok=True)
    rerender = f'"{sys.executable}" -m tests.deployment_scenario full_disk_rerender {published["ref"]}'
    script = f'mount -t tmpfs -o size=3m ims-media "{media}" && exec {rerender}'
    namespace = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script]
    result = subprocess.run(namespace, cwd=ROOT, env=deployment.environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    assert outcome["render_error"] == "OSError: errno 28"  # ENOSPC, from the kernel
    assert outcome["row_after_failure"] == outcome["old"]  # the record still names the old, whole file
    assert outcome["old_file_after_failure_sha256"] == outcome["old"]["sha256"]
    assert (outcome["served_status"], outcome["served_sha256"]) == (200, outcome["old"]["sha256"])
    assert outcome["partial_files"] == []  # the failed write left nothing behind
    # Once there is room again, the re-rendering goes through and the new PDF is what is served.
    assert outcome["new_sha256"] != outcome["old"]["sha256"]
    assert outcome["served_after_sha256"] == outcome["new_sha256"]


@pytest.fixture
def sqlite_deployment(template, tmp_path):
    """A deployment on a SQLite file whatever the suite's database: the template's copy, or a new one."""
    if _database_kind() == "sqlite3":
        copy = tmp_path / "ims.sqlite3"
        shutil.copyfile(urlsplit(template[0]).path, copy)
        deployment = Deployment(tmp_path / "deployment", f"sqlite:///{copy}")
    else:
        deployment = Deployment(tmp_path / "deployment", f"sqlite:///{tmp_path / 'ims.sqlite3'}")
        deployment.manage("migrate", "--noinput", "-v0")
        deployment.manage("load_content", "-v0")
        deployment.scenario("seed")
    yield deployment
    deployment.stop_all()


def test_while_a_long_import_holds_sqlites_write_lock_pages_read_and_writes_answer_busy_not_500(sqlite_deployment):
    _web, base = sqlite_deployment.start_web(IMS_WEB_PROCESSES=1)
    database = urlsplit(sqlite_deployment.environment["DATABASE_URL"]).path
    sign_in = {"email": "monitor@programme.example", "password": PASSWORD}
    # An import's transaction, as import_assessments holds it: SQLite's one writer lock, for a long time.
    importer = sqlite3.connect(database, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")
    try:
        assert ApiClient(base).call("GET", "/en/factories/")[0] == 200  # readers are not blocked (WAL)
        request = urllib.request.Request(base + "/api/v1/auth/token/", data=json.dumps(sign_in).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as busy:
            urllib.request.urlopen(request, timeout=60)
        assert (busy.value.code, busy.value.headers["Retry-After"]) == (503, "5")
        assert json.loads(busy.value.read())["error"] == "busy"
    finally:
        importer.rollback()
        importer.close()
    assert "token" in ApiClient(base).json("POST", "/api/v1/auth/token/", sign_in)  # once the import is done


def _all_done(deployment):
    tasks = deployment.scenario("state")["tasks"]
    return tasks and all(task["status"] in ("SUCCESSFUL", "FAILED") for task in tasks) and tasks


def _worker_pid(supervisor_pid):
    table = {pid: Path(f"/proc/{pid}/cmdline") for pid in descendants(supervisor_pid)}
    for pid, cmdline in table.items():
        try:
            if b"run_worker" in cmdline.read_bytes():
                return pid
        except FileNotFoundError:
            continue
    return None


def _typesetting_processes(supervisor_pid):
    """The fork server and at least two typesetting processes under the worker, once they exist."""
    worker = _worker_pid(supervisor_pid)
    if worker is None:
        return set()
    found = set()
    for pid in descendants(worker):
        try:
            if b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except FileNotFoundError:
            continue
    return found if len(found) >= 3 else set()


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()
