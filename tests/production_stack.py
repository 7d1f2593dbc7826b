"""CI's production stage (.ci/production-stack): IMS as it runs in production, without containers.

A PostgreSQL server and SeaweedFS's S3 gateway of its own, two app servers under gunicorn with
IMS_PRODUCTION=true behind a pretended TLS proxy, the supervised task worker and the scheduler, all
started through the image's entry point (deploy/ims). Then, over real HTTP: the assessment loop
through server A with the media in the bucket and the factory's downloads through server B; /readyz
with a stopped worker, a worker killed with SIGKILL and an unreachable bucket; a PostgreSQL restart
under traffic, the same worker process working on; a backup, the
database and the bucket dropped, a restore, and every report, photo and PDF identical by hash; the
API rate limit counted once across both servers.

Not collected by `./dev test` (its name does not start with test_): run it with
`.venv/bin/python -m pytest -p no:xdist tests/production_stack.py`.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.deployment import (
    ENTRY_POINT,
    ROOT,
    ApiClient,
    Deployment,
    PostgresCluster,
    SeaweedS3,
    WebSession,
    descendants,
    jpeg_photo,
    run_assessment_loop,
    running,
    wait_until,
)
from tests.smtp import SmtpServer

BUCKET = "ims-media"
DATABASE = "ims_ops_stack"
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS proxy (Caddy) adds
PHOTO = jpeg_photo("darkorange", (640, 480))


class Stack:
    def __init__(self, directory):
        self.postgres, self.s3, self.smtp = PostgresCluster(), SeaweedS3(), SmtpServer()
        self.directory = directory

    def start(self):
        self.postgres.start()
        self.postgres.sql(f'CREATE DATABASE "{DATABASE}"')
        self.s3.start()
        self.s3.create_bucket(BUCKET)
        self.smtp.start()
        self.app = Deployment(
            self.directory / "app",
            self.postgres.url(DATABASE),
            IMS_PRODUCTION="true",
            IMS_SECRET_KEY="stack-" + "k" * 60,
            IMS_ALLOWED_HOSTS="127.0.0.1,localhost",
            IMS_BEHIND_TLS_PROXY="true",
            IMS_SITE_URL="https://ims.example.org",
            IMS_EMAIL_HOST="127.0.0.1",
            IMS_EMAIL_PORT=self.smtp.port,
            IMS_WEB_PROCESSES=2,
            IMS_LOG_FORMAT="json",
            IMS_LOG_LEVEL="INFO",
            **self.s3.environment(BUCKET),
        )
        self.app.manage("collectstatic", "--noinput", "-v0")
        assert self.app.start("migrate").wait(timeout=300) == 0, self.app.log("migrate")
        self.people = self.app.scenario("seed")
        self.web_a, self.a = self.app.start_web()
        self.web_b, self.b = self.app.start_web()
        self.worker = self.app.start("worker")
        self.scheduler = self.app.start("scheduler")

    def stop(self):
        self.app.stop_all()
        self.smtp.close()
        self.s3.remove()
        self.postgres.remove()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def api(base, token=None):
    return ApiClient(base, token, PROXY)


def signed_in(base, email, stack=None):
    """A token client; the head's account has a second factor, given as a recovery code made in the stack."""
    code = stack.app.scenario("recovery_code", email) if stack is not None else None
    return api(base).signed_in(email, code=code)


def background_work_done(stack):
    tasks = stack.app.scenario("state")["tasks"]
    return tasks and all(task["status"] in ("SUCCESSFUL", "FAILED") for task in tasks)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def loop(stack):
    """The assessment loop through server A: plan, capture with a photo, approve."""
    people = stack.people
    monitor, head = signed_in(stack.a, people["monitor"]), signed_in(stack.a, people["head"], stack)
    ref = run_assessment_loop(monitor, head, people["factory"], people["version"],
                              [people["monitor"], people["monitor2"]], PHOTO)  # fmt: skip
    wait_until(lambda: background_work_done(stack), timeout=300, what="the emails, PDFs and statistics")
    return ref


def test_the_loop_runs_across_two_app_servers_with_the_media_in_the_bucket(stack, loop):
    state = stack.app.scenario("state")
    assert {task["status"] for task in state["tasks"]} == {"SUCCESSFUL"}
    # Each contact's publication email, and the notices: the submitted draft to the head, the published report
    # to the factory's manager (the monitors submitted and were not told of their own act).
    told = [*stack.people["contacts"].values(), stack.people["head"], stack.people["manager"]]
    assert sorted(address for message in stack.smtp.received for address in message.recipients) == sorted(told)
    objects = stack.s3.objects(BUCKET)
    pdfs = {pdf["name"]: pdf["sha256"] for pdf in state["pdfs"]}
    assert len(pdfs) == 6 and {name: objects.get(name) for name in pdfs} == pdfs
    photos = {key: digest for key, digest in objects.items() if key.startswith("evidence/")}
    assert len(photos) == 1  # re-encoded on upload: its hash is the stored file's, not the sent one's
    assert not any(Path(stack.app.environment["IMS_MEDIA_ROOT"]).rglob("*.*"))  # nothing on the local disk

    # The factory signs in on server A and downloads through server B (sessions live in the database).
    factory = WebSession(stack.a, PROXY).sign_in(stack.people["manager"])
    status, pdf = factory.request("GET", f"/en/reports/{loop}/revisions/1/pdf/detailed/km/", base=stack.b)
    assert status == 200 and pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-32:]
    detailed_km = next(name for name in pdfs if name.endswith(".pdf") and "-detailed-km-" in name)
    assert sha256(pdf) == pdfs[detailed_km]
    manager = signed_in(stack.b, stack.people["manager"])
    finding = next(item for item in manager.json("GET", f"/api/v1/assessments/{loop}/findings/") if item["evidence"])
    evidence = finding["evidence"][0]
    status, photo = factory.request("GET", f"/en/assessments/{loop}/evidence/{evidence['id']}/", base=stack.b)
    assert status == 200 and sha256(photo) == evidence["sha256"] == next(iter(photos.values()))
    # Private bucket: nothing in it is readable without the app's keys.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{stack.s3.endpoint}/{BUCKET}/{detailed_km}", timeout=10)
    assert refused.value.code == 403

    # One JSON line per request, from each server.
    lines = [json.loads(line) for line in stack.app.log(f"web-{stack.b.rsplit(':', 1)[1]}").splitlines()
             if line.startswith("{") and '"ims.requests"' in line]  # fmt: skip
    assert any(line["path"].endswith("/pdf/detailed/km/") and line["status"] == 200 for line in lines)


def readiness(base):
    status, body = api(base).call("GET", "/readyz")
    return status, json.loads(body)


def test_readyz_reports_a_stopped_worker_and_an_unreachable_bucket_as_not_ready(stack, loop):
    wait_until(lambda: readiness(stack.a)[0] == 200, timeout=60, what="/readyz to answer ready")
    status, body = readiness(stack.a)
    assert body["status"] == "ready" and body["checks"]["scheduler"]["ok"]

    assert ready_command(stack, stack.a) == (0, "ready")

    stack.app.stop(stack.worker)  # a clean stop: the worker signs off at once
    status, body = readiness(stack.a)
    assert (status, body["status"], body["checks"]["worker"]["ok"]) == (503, "not_ready", False)
    assert body["checks"]["storage"]["ok"] and body["checks"]["database"]["ok"]
    assert ready_command(stack, stack.a) == (1, "not_ready")  # what monitoring runs on the web's machine
    stack.worker = stack.app.start("worker")
    wait_until(lambda: readiness(stack.a)[0] == 200, timeout=60, what="ready again with a worker")

    # Each app process keeps the bucket's answer a few seconds (BUCKET_CHECK_SECONDS).
    stack.s3.stop()
    status, body = wait_until(lambda: _not_ready(stack.b, "storage"), timeout=30, what="the bucket to be missed")
    assert (status, body["checks"]["worker"]["ok"]) == (503, True)
    assert BUCKET not in json.dumps(body) and "Error" not in json.dumps(body)  # nothing of the internals
    stack.s3.start()
    wait_until(lambda: readiness(stack.b)[0] == 200, timeout=60, what="ready again with the bucket back")


def test_readyz_reports_a_worker_killed_with_sigkill_once_its_heartbeat_is_stale(stack, loop):
    """Killed, as a lost machine is: no sign-off, the heartbeat stays and ages past the lease (3 s here)."""
    wait_until(lambda: readiness(stack.a)[0] == 200, timeout=60, what="/readyz to answer ready")
    role = descendants(stack.worker.pid) | {stack.worker.pid}  # supervisord, run_worker and its children
    for pid in role:
        os.kill(pid, signal.SIGKILL)
    stack.worker.wait()
    wait_until(lambda: not running(role), timeout=30, what="every process of the worker role to be gone")
    status, body = wait_until(lambda: _not_ready(stack.a, "worker"), timeout=60, what="the worker to be missed")
    assert (status, body["checks"]["worker"]["alive"]) == (503, 0)
    lease = body["checks"]["worker"]["lease_seconds"]
    stale = [beat for beat in stack.app.scenario("heartbeats") if beat["role"] == "worker"]
    assert stale and all(beat["age"] > lease for beat in stale)  # still there, and too old

    stack.worker = stack.app.start("worker")
    wait_until(lambda: readiness(stack.a)[0] == 200, timeout=60, what="ready again with a new worker")


def ready_command(stack, base):
    """`deploy/ims ready` beside the web server at `base`: (exit status, the status it printed)."""
    environment = {**stack.app.environment, "IMS_BIND": f"0.0.0.0:{base.rsplit(':', 1)[1]}"}
    result = subprocess.run([str(ENTRY_POINT), "ready"], cwd=ROOT, env=environment, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    return result.returncode, json.loads(result.stdout)["status"]


def _not_ready(base, check):
    status, body = readiness(base)
    return (status, body) if not body["checks"][check]["ok"] else None


def test_a_postgresql_restart_under_traffic_gives_no_500_and_the_worker_keeps_working(stack, loop):
    run_workers = {pid for pid in descendants(stack.worker.pid) if _is_worker(pid)}
    assert run_workers, "no run_worker process under the worker role"
    statuses, stop = Counter(), threading.Event()

    def traffic(base):
        client = api(base)
        while not stop.is_set():
            for path in ("/en/factories/", f"/en/factories/{stack.people['factory']}/", "/km/statistics/"):
                statuses[client.call("GET", path)[0]] += 1

    threads = [threading.Thread(target=traffic, args=(base,)) for base in (stack.a, stack.b)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: sum(statuses.values()) >= 20, timeout=60, what="traffic before the restart")
        stack.postgres.restart()
        served = sum(statuses.values())
        wait_until(lambda: sum(statuses.values()) >= served + 40, timeout=60, what="traffic after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert set(statuses) <= {200, 503}, statuses  # 503 with Retry-After during the restart, never 500
    assert statuses[200] > 0

    # The same worker process (not one restarted by supervisord) takes the next task.
    task = stack.app.scenario("enqueue_refresh")["id"]
    done = wait_until(lambda: _finished(stack, task), timeout=60, what="the worker to run a task after the restart")
    assert done["status"] == "SUCCESSFUL"
    assert running(run_workers) == run_workers
    assert {_pid_of(worker_id) for worker_id in done["worker_ids"]} <= run_workers


def _finished(stack, task):
    outcome = stack.app.scenario("task", task)
    return outcome if outcome["status"] in ("SUCCESSFUL", "FAILED") else None


def _pid_of(worker_id):
    """The process number in a worker id (worker-HOST-PID-RANDOM, ims.operations.workers.new_process_id)."""
    return int(worker_id.rsplit("-", 2)[1])


def _is_worker(pid):
    try:
        return b"run_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False


def test_a_backup_restores_every_report_photo_and_pdf_byte_for_byte(stack, loop):
    head = signed_in(stack.a, stack.people["head"], stack)
    revision_before = head.json("GET", f"/api/v1/assessments/{loop}/revisions/1/")
    findings_before = head.json("GET", f"/api/v1/assessments/{loop}/findings/")
    objects_before = stack.s3.objects(BUCKET)
    backup = stack.directory / "backup"
    stack.app.manage("backup", str(backup))

    # An operator's worst day: the app stopped, the database and the bucket gone.
    for process in (stack.web_a, stack.web_b, stack.worker, stack.scheduler):
        stack.app.stop(process)
    stack.postgres.sql(f'DROP DATABASE "{DATABASE}"')
    stack.s3.drop_bucket(BUCKET)
    stack.postgres.sql(f'CREATE DATABASE "{DATABASE}"')

    # A damaged or incomplete backup is refused before anything is touched.
    damaged = stack.directory / "damaged"
    shutil.copytree(backup, damaged)
    victim = next(damaged.joinpath("media").rglob("*.pdf"))
    victim.write_bytes(victim.read_bytes()[:-10])
    refused = stack.app.manage("restore", str(damaged), check=False)
    assert refused.returncode != 0 and "damaged or incomplete" in refused.stderr
    (damaged / "manifest.json").unlink()
    assert "incomplete" in stack.app.manage("restore", str(damaged), check=False).stderr
    assert stack.postgres.sql("select count(*) from pg_tables where schemaname = 'public'", DATABASE) == "0"
    assert BUCKET not in [bucket["Name"] for bucket in stack.s3.client().list_buckets()["Buckets"]]

    stack.app.manage("restore", str(backup))
    assert stack.s3.objects(BUCKET) == objects_before
    stack.web_a, stack.a = stack.app.start_web()
    stack.web_b, stack.b = stack.app.start_web()
    head = signed_in(stack.a, stack.people["head"], stack)
    assert head.json("GET", f"/api/v1/assessments/{loop}/revisions/1/") == revision_before
    assert head.json("GET", f"/api/v1/assessments/{loop}/findings/") == findings_before
    factory = WebSession(stack.a, PROXY).sign_in(stack.people["manager"])
    for name, digest in objects_before.items():
        if "-summary-en-" in name:
            status, pdf = factory.request("GET", f"/en/reports/{loop}/revisions/1/pdf/summary/en/")
            assert (status, sha256(pdf)) == (200, digest)


def test_the_anonymous_rate_limit_is_counted_once_across_both_app_servers(stack, loop):
    """60 a minute per address (IMS_API_ANON_RATE): per gunicorn process, four processes would allow 240."""
    answers = {stack.a: Counter(), stack.b: Counter()}
    for number in range(80):
        base = (stack.a, stack.b)[number % 2]
        answers[base][api(base).call("GET", "/api/v1/public/statistics/years")[0]] += 1
    total = answers[stack.a] + answers[stack.b]
    assert total[200] <= 60 and total[429] >= 20, answers
    assert answers[stack.a][429] and answers[stack.b][429]
