"""How long a monitor's tablet takes to answer the whole checklist offline, and to sync it afterwards.

    .venv/bin/python benchmarks/offline_capture.py [--runs 3] [--keep]

Sets up a throwaway SQLite database under /tmp with the repository's content and one started assessment per
run, serves the app on localhost (service workers need a secure context), and drives headless Chromium as a
tablet: sign in, open the capture app online once, go offline, answer all 274 questions (the first card of
each cluster by a tap, the others by clicks dispatched in the page, as tests/test_capture_offline.py does),
then go back online and wait until every answer is on the server. Prints the time to answer offline and the
time of the first sync, per run and as medians. Target: answering under 60 s on a 2-core machine.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-42"
ANSWERS = ("compliant", "non_compliant", "not_applicable", "not_assessed")


def start_django(work):
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="ims.settings",
        DATABASE_URL=f"sqlite:///{work / 'ims.sqlite3'}",
        IMS_MEDIA_ROOT=str(work / "media"),
        IMS_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        IMS_LOG_LEVEL="ERROR",  # not the browser's favicon.ico 404s
        IMS_API_USER_RATE="100000/minute",
        # Playwright's sync API runs an event loop in this thread beside the synchronous ORM calls.
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    import django

    django.setup()


def set_up(runs):
    """The content, a monitor and a head, and one started assessment per run; returns (monitor, refs)."""
    from django.core.management import call_command

    from ims.accounts.models import Membership, Organisation, Role, User
    from ims.assessments.workflow import plan_assessment, transition
    from ims.checklists.models import ChecklistVersion
    from ims.factories.models import Factory, Province

    quiet = {"verbosity": 0, "stdout": StringIO()}
    call_command("migrate", **quiet)
    call_command("load_content", **quiet)
    programme = Organisation.objects.create(name="Programme", kind=Organisation.Kind.PROGRAMME)
    users = {}
    for email, role in (("monitor@bench.example", Role.MONITOR), ("head@bench.example", Role.HEAD)):
        users[role] = User.objects.create_user(email, PASSWORD, full_name=email.split("@")[0])
        Membership.objects.create(user=users[role], organisation=programme, role=role)
    version, province = ChecklistVersion.objects.get(), Province.objects.get(code="KH-12")
    refs = []
    for run in range(runs):
        factory = Factory.objects.create(ref=f"BENCH-{run}", name_en=f"Bench Factory {run}", sector="garment",
                                         province=province)  # fmt: skip
        day = date(2026, 11, 2) + timedelta(days=run)
        visit = plan_assessment(factory=factory, version=version, actor=users[Role.HEAD], visit_start=day,
                                visit_end=day, monitors=[users[Role.MONITOR]])  # fmt: skip
        refs.append(transition(visit, "start", users[Role.MONITOR]).ref)
    return users[Role.MONITOR], refs


def serve():
    """The app with its static files on localhost, in a thread of this process (as pytest-django's live_server)."""
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    server = LiveServerThread("localhost", _StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def capture_offline(browser, base, monitor, ref):
    """Seconds to answer every question offline, and seconds until the first sync has sent them all."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1024, "height": 1366}, has_touch=True)
    page = context.new_page()
    app = f"/en/capture/{ref}/"
    page.goto(f"{base}/en/accounts/login/?next={app}")
    page.fill("#id_username", monitor.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**{app}")
    root = page.locator("#offline-capture")
    expect(root).to_have_attribute("data-offline-ready", "true", timeout=60_000)

    context.set_offline(True)
    expect(root).to_have_attribute("data-network", "offline")
    started = time.perf_counter()
    answered = 0
    for tab in page.locator(".cluster-tab").all():
        tab.click()
        cards = page.locator(f'.capture-cluster[data-cluster="{tab.get_attribute("data-cluster")}"] .capture-card')
        cards.first.locator(f'button[data-answer="{ANSWERS[answered % 4]}"]').tap()
        answered += 1 + cards.evaluate_all(
            """(cards, [answers, offset]) => cards.slice(1).map((card, index) => {
                card.querySelector(`button[data-answer="${answers[(offset + index) % 4]}"]`).click();
            }).length""",
            [list(ANSWERS), answered],
        )
    expect(root).to_have_attribute("data-pending", str(answered))
    answering = time.perf_counter() - started

    context.set_offline(False)
    started = time.perf_counter()
    expect(root).to_have_attribute("data-pending", "0", timeout=120_000)
    syncing = time.perf_counter() - started
    context.close()
    return answered, answering, syncing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="assessments captured, one after the other (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ims-capture-bench-", dir="/tmp"))
    start_django(work)
    from playwright.sync_api import sync_playwright

    from ims.assessments.models import Finding
    from tests.clients import CHROMIUM, CHROMIUM_ARGS

    server = None
    try:
        monitor, refs = set_up(options.runs)
        server = serve()
        base = f"http://localhost:{server.port}"
        print(f"Load average before timing: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
        answering, syncing = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for ref in refs:
                answered, seconds_offline, seconds_sync = capture_offline(browser, base, monitor, ref)
                stored = Finding.objects.filter(assessment__ref=ref).count()
                assert stored == answered, f"{stored} of {answered} answers reached the server"
                print(f"{ref}: {answered} questions answered offline in {seconds_offline:.1f} s, "
                      f"first sync {seconds_sync:.1f} s")  # fmt: skip
                answering.append(seconds_offline)
                syncing.append(seconds_sync)
            browser.close()
        verdict = "ok" if statistics.median(answering) < 60 else "OVER TARGET"
        print(f"\nMedian of {len(refs)}: answering offline {statistics.median(answering):.1f} s "
              f"(target < 60 s: {verdict}), first sync {statistics.median(syncing):.1f} s")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
        if options.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
