"""Industry analytics at the scale docs/domain.md plans for: 2,000 factories x 10 years.

    .venv/bin/python benchmarks/analytics_scale.py [--factories 2000] [--years 10]
        [--backends sqlite,postgresql] [--duration 15] [--connections 1,4] [--work /tmp/ims-analytics-bench]
        [--reuse]   (measure the databases a previous run loaded, without importing again)

For each database (a fresh SQLite file; a fresh PostgreSQL database `ims_analytics_bench` on the local
server, as .ci/run sets up) it:
1. generates the history once with `generate_demo --output` (about 40,000 assessments, 10 million
   findings, as factories CSV and assessment JSON Lines) and imports it with the real import path;
   prints the import rate;
2. times the refresh of the pre-computed tables: a full rebuild from every published snapshot, and the
   refresh one publication triggers (its visit, the factory's sequence, its year's industry figures);
3. serves the app on loopback (Django's threaded server, Nagle off, one process per core) and drives
   the public factory page, the statistics page, a factory dashboard (signed in as the programme head)
   and the public API with `wrk` (apt-get install wrk), one client alone then four at once, printing
   median and p95 latency and the load average (the machine may be shared);
4. computes the same statistic (non-compliance per question in the latest year) with one hand-written
   SQL query over the raw findings, checks it equals the API's figures and prints the time ratio.
Targets (issue 7): public pages p95 < 100 ms, dashboards p95 < 300 ms on PostgreSQL.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_DATABASE = "ims_analytics_bench"
SERVER_PROCESSES = os.cpu_count() or 2
LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT %d %d %.3f %.3f %d\\n", summary.requests, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration))
end
"""


def environment(backend, work):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="ims.settings", IMS_LOG_LEVEL="WARNING",
               IMS_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend", IMS_MEDIA_ROOT=str(work / "media"),
               IMS_API_ANON_RATE="100000000/minute", IMS_API_USER_RATE="100000000/minute")  # fmt: skip
    env["DATABASE_URL"] = f"sqlite:///{work / 'ims.sqlite3'}" if backend == "sqlite" else f"postgres:///{PG_DATABASE}"
    return env


def manage(env, *args, capture=False):
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    if capture:
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    subprocess.run(command, env=env, check=True)
    return ""


def fresh_database(backend, work, env):
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (work / f"ims.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        subprocess.run(["dropdb", "--if-exists", PG_DATABASE], check=True)
        subprocess.run(["createdb", PG_DATABASE], check=True)
    manage(env, "migrate", "-v0", "--skip-checks")
    manage(env, "load_content", "-v0", "--skip-checks", capture=True)


def generate(work, factories, years):
    data = work / f"data-{factories}x{years}"
    if not (data / "assessments.jsonl").exists():
        env = environment("sqlite", work / "generator")
        (work / "generator").mkdir(parents=True, exist_ok=True)
        fresh_database("sqlite", work / "generator", env)
        started = time.perf_counter()
        manage(env, "generate_demo", f"--factories={factories}", f"--years={years}", "--prefix=BF",
               f"--output={data}", "--skip-checks")  # fmt: skip
        print(f"generated the history in {time.perf_counter() - started:.0f} s "
              f"({(data / 'assessments.jsonl').stat().st_size / 1e6:.0f} MB of JSON Lines)")  # fmt: skip
    return data


# The part that runs inside Django (a child process per database).


def phase_load(data, reuse=False):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from ims.analytics import aggregates, services
    from ims.analytics.models import VisitResult

    report = {}
    head = get_user_model().objects.get(email="head@bench.example") if reuse else load(data, report)
    year = services.latest_year() - 1  # a complete year
    visit = VisitResult.objects.filter(year=year).select_related("revision__assessment").first()
    started = time.perf_counter()
    aggregates.refresh_for_revision(visit.revision)
    report["publication_refresh_s"] = time.perf_counter() - started

    connection.close()  # measure the SQL in a warm but fresh connection, as the API call below
    api_times, sql_times, uncached_times = [], [], []
    for _run in range(5):
        started = time.perf_counter()
        statistics = services.industry_statistics(year)
        api_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        services._industry_statistics(year)
        uncached_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        by_sql = hand_written_sql(connection, year)
        sql_times.append(time.perf_counter() - started)
    computed = {
        row["code"]: (row["assessed"], row["noncompliant"]) for row in statistics["questions"] if row["assessed"]
    }
    assert computed == by_sql, "the pre-computed statistic differs from the SQL over raw findings"
    report.update(year=year, precomputed_s=sorted(api_times)[2], sql_s=sorted(sql_times)[2],
                  uncached_s=sorted(uncached_times)[2])  # fmt: skip

    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(head.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = head.get_session_auth_hash()
    session.create()
    report["session"] = session.session_key
    report["factory"] = visit.factory.ref
    print("REPORT " + json.dumps(report))


def load(data, report):
    """Import the generated history and rebuild the tables, timing both; returns the programme head."""
    from django.contrib.auth import get_user_model

    from ims.accounts.models import Membership, Organisation, Role
    from ims.analytics import aggregates
    from ims.analytics.importing import import_assessments_file
    from ims.factories.importing import import_factories

    programme = Organisation.objects.create(name="Bench Programme", kind=Organisation.Kind.PROGRAMME)
    head = get_user_model().objects.create_user("head@bench.example", "bench-password-42", full_name="Head")
    Membership.objects.create(user=head, organisation=programme, role=Role.HEAD)
    started = time.perf_counter()
    assert import_factories((data / "factories.csv").read_text(encoding="utf-8")).ok
    report["factories_import_s"] = time.perf_counter() - started
    started = time.perf_counter()
    result = import_assessments_file(data / "assessments.jsonl", head)
    report["import_s"] = time.perf_counter() - started
    assert result.ok, result.errors[:5]
    report.update(assessments=result.created, findings=result.findings)

    started = time.perf_counter()
    aggregates.rebuild_all()
    report["rebuild_s"] = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:  # what an operator does after a bulk load: fresh planner statistics
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return head


HAND_WRITTEN_SQL = """
SELECT q.code,
       SUM(CASE WHEN f.answer IN ('compliant', 'non_compliant') THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.answer = 'non_compliant' THEN 1 ELSE 0 END)
FROM assessments_finding f
JOIN checklists_question q ON q.id = f.question_id
WHERE f.assessment_id IN (
    SELECT a.id FROM assessments_assessment a
    WHERE a.status IN ('approved', 'correcting') AND a.visit_end BETWEEN %s AND %s
      AND NOT EXISTS (
        SELECT 1 FROM assessments_assessment b
        WHERE b.factory_id = a.factory_id AND b.status IN ('approved', 'correcting')
          AND b.visit_end BETWEEN %s AND %s
          AND (b.visit_end > a.visit_end OR (b.visit_end = a.visit_end AND b.id > a.id))))
GROUP BY q.code
"""


def hand_written_sql(connection, year):
    """The non-compliance rate of docs/domain.md per question, straight from the findings."""
    first, last = f"{year}-01-01", f"{year}-12-31"
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN_SQL, [first, last, first, last])
        return {code: (int(assessed), int(noncompliant)) for code, assessed, noncompliant in cursor.fetchall()
                if assessed}  # fmt: skip


# Serving and measuring.


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env):
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, __file__, "--phase-serve", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # wrk closes connections mid-response when its time is up: the server's "broken pipe" notes are noise
    for _attempt in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def phase_serve(port):
    """Django's threaded development server, with Nagle's algorithm off: otherwise a response written as
    headers then body waits for the client's delayed ACK (about 40 ms) on loopback, which measures TCP,
    not the app."""
    import django

    django.setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application

    class Handler(WSGIRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, format, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), Handler)
    server.set_app(get_internal_wsgi_application())
    # One process per core sharing the listening socket, as a pre-forking server (gunicorn) would run; forked
    # before any database connection opens, so each process has its own.
    children = []
    for _worker in range(SERVER_PROCESSES - 1):
        pid = os.fork()
        if pid == 0:
            server.serve_forever()
        children.append(pid)

    def stop(*_args):
        for child in children:
            os.kill(child, signal.SIGTERM)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


def wrk(url, duration, work, cookie=None, connections=4):
    script = work / "p95.lua"
    script.write_text(LUA)
    status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *(["-b", cookie] if cookie else []),
                             url], capture_output=True, text=True).stdout  # fmt: skip
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    requests, failed, median, p95, _duration = line.split()[1:]
    return {"status": status, "requests": int(requests), "errors": int(failed), "median_ms": float(median),
            "p95_ms": float(p95)}  # fmt: skip


def run_backend(backend, data, work, duration, reuse, connections):
    work.mkdir(parents=True, exist_ok=True)
    env = environment(backend, work)
    if not reuse:
        fresh_database(backend, work, env)
    phase = [PYTHON, __file__, "--phase-load", str(data), *(["--reuse"] if reuse else [])]
    output = subprocess.run(phase, env=env, check=True, capture_output=True, text=True).stdout
    report = json.loads(next(line for line in output.splitlines() if line.startswith("REPORT "))[7:])
    print(f"\n=== {backend}")
    if not reuse:
        print_load(report)
    print(
        f"refresh after one publication (its visit, the factory's sequence, its year, every standing): "
        f"{report['publication_refresh_s'] * 1000:.0f} ms"
    )
    print(
        f"statistic for {report['year']} (per question): pre-computed {report['uncached_s'] * 1000:.1f} ms from the "
        f"tables ({report['precomputed_s'] * 1000:.1f} ms cached); one hand-written SQL query over the raw findings "
        f"{report['sql_s'] * 1000:.0f} ms; ratio SQL / pre-computed {report['sql_s'] / report['uncached_s']:.0f}x "
        f"(same figures)"
    )
    measure(env, report, work, duration, connections)


def print_load(report):
    print(
        f"import: {report['assessments']} assessments, {report['findings']} findings in {report['import_s']:.0f} s "
        f"= {report['assessments'] / report['import_s']:.0f} assessments/s, "
        f"{report['findings'] / report['import_s']:.0f} findings/s (factories CSV {report['factories_import_s']:.1f} s)"
    )
    print(f"refresh: full rebuild of every table from the published snapshots {report['rebuild_s']:.1f} s")


def measure(env, report, work, duration, connections):
    server, port = serve(env)
    base = f"http://127.0.0.1:{port}"
    cookie = f"sessionid={report['session']}"
    targets = [
        ("public factory page", f"/en/factories/{report['factory']}/", None, 100),
        ("statistics page", f"/en/statistics/?year={report['year']}", None, 100),
        ("statistics API", f"/api/v1/public/statistics/noncompliance?year={report['year']}", None, 100),
        ("factory dashboard", f"/en/statistics/dashboards/factories/{report['factory']}/", cookie, 300),
    ]
    try:
        for clients in connections:
            print(f"-- wrk, {clients} connection(s), {duration} s each; load average before: {os.getloadavg()[0]:.1f}")
            for label, path, with_cookie, target in targets:
                result = wrk(base + path, duration, work, with_cookie, clients)
                verdict = "ok" if result["status"] == "200" and result["p95_ms"] < target else "OVER TARGET or failing"
                print(
                    f"{label:<20} HTTP {result['status']}  median {result['median_ms']:.1f} ms  "
                    f"p95 {result['p95_ms']:.1f} ms"
                    f"  ({result['requests']} requests, {result['errors']} errors; target p95 < {target} ms: {verdict})"
                )
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=2000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per page")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ims-analytics-bench"))
    parser.add_argument(
        "--connections",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 4],
        help="wrk connections, one round per value (default 1,4: alone, then four at once)",
    )
    parser.add_argument("--reuse", action="store_true", help="measure the databases a previous run loaded")
    parser.add_argument("--phase-load", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase-serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as each database finishes
    sys.path.insert(0, str(ROOT))
    if args.phase_load:
        phase_load(args.phase_load, args.reuse)
        return
    if args.phase_serve:
        phase_serve(args.phase_serve)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    data = generate(args.work, args.factories, args.years)
    for backend in args.backends.split(","):
        run_backend(backend, data, args.work / backend, args.duration, args.reuse, args.connections)


if __name__ == "__main__":
    main()
