"""Field conditions: the public site on a 3G phone and offline capture on a tablet, in production mode.

    .venv/bin/python benchmarks/field.py [--database-url URL] [--work /tmp/ims-field-bench] [--parallel 3]
        [--parts pages,tablet,server] [--pages home,checklist,...] [--slow-pages home,report summary]
        [--reuse] [--save FILE.json] [--baseline FILE.json]

Sets up a throwaway database (SQLite under --work, or the PostgreSQL database named by --database-url,
which it empties) with the repository's content and the demo data, builds the web fonts, collects the
static files and serves the app with gunicorn in production mode (IMS_PRODUCTION=true, the HTTPS
redirect off: it is plain http on localhost, which browsers treat as a secure context), loading every
public page once per worker before measuring. Then:

- pages: headless Chromium (Debian's) opens every public page in en, km and zh-hans under DevTools
  network emulation, from a cold cache (a new browser context each time), and waits until it is fully
  loaded: the load event, every web font the page asked for, no request in flight. It records the time
  from the navigation's first request to the last response, the bytes on the wire (headers included),
  the web font bytes per script, then opens the page again in the same context and records the
  document's status (304 when the server said nothing changed) and the bytes of that repeat visit.
  Regular 3G for every page; slow 3G for a few (--slow-pages).
- tablet: a fresh tablet (cold cache, regular 3G; the emulation is applied to the capture app's service
  worker too) opens the sign-in page of the capture screen, signs in as a monitor reading Khmer and waits
  until the screen is ready offline; then reopens the screen online; then, offline, answers all 274
  questions with a note each and adds 5 photos of a label (benchmarks/label_photos.py), comes back
  online and waits until the sync is done. Bytes and requests come from the server's access log.
- server: in this process, without the network: the server time and SQL queries of one 200-answer
  batch (POST .../findings/), and of every public page and the detailed report.

Goals (issue 18), regular 3G, cold cache: public pages fully loaded in < 3 s (en, km) and < 5 s
(zh-hans), < 250 KiB (en, km) and < 500 KiB (zh-hans), no Chinese font bytes on en and km pages beyond
a few KiB; a repeat visit answers 304; a fresh tablet ready offline < 10 s after signing in, reopening
< 1 s; sync of 274 answers with notes and 5 photos < 25 s; a 200-answer batch < 200 ms of server time.
--save writes the figures as JSON; --baseline prints an earlier --save's figures beside them.
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
LANGUAGES = ("en", "km", "zh-hans")
# DevTools network emulation (kbit = 1000 bits); latency is added to every request.
NETWORKS = {
    "regular-3g": {"latency": 300, "down_kbit": 750, "up_kbit": 250},
    "slow-3g": {"latency": 400, "down_kbit": 400, "up_kbit": 400},
}
PASSWORD = "bench-password-2026"
PHOTOS = 5
TIMEOUT_MS = 300_000
LOG_FORMAT = '{"method":"%(m)s","path":"%(U)s","status":%(s)s,"out":%(B)s,"in":"%({content-length}i)s"}'
NOTES = [
    "ទ្វារចេញបន្ទាន់នៅជាន់ទី២ ត្រូវបានចាក់សោ ហើយគ្មានផ្លាកសញ្ញាបង្ហាញផ្លូវចេញ។ អ្នកគ្រប់គ្រងបាននិយាយថានឹងដោះស្រាយ។",
    "Piece-rate workers in packing were paid below the minimum wage in two of the last three months; payslips seen.",
    "二楼的紧急出口被锁住，车间内没有疏散指示标志。工人表示加班没有按规定支付，工资单显示同样情况。",  # noqa: RUF001
    "Checked the records with the HR officer and two line leaders; consistent with what workers said in interviews.",
]


# --- setting up ----------------------------------------------------------------------------------------------


def environment(args, work):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="ims.settings", IMS_LOG_LEVEL="WARNING",
               IMS_TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend", IMS_MEDIA_ROOT=str(work / "media"),
               IMS_API_ANON_RATE="100000/minute", IMS_API_USER_RATE="100000/minute",
               DATABASE_URL=args.database_url or f"sqlite:///{work / 'ims.sqlite3'}")  # fmt: skip
    env.pop("IMS_PRODUCTION", None)
    env.pop("IMS_DEBUG", None)
    return env


def production(env):
    # The HTTPS redirect is the one production setting plain http on localhost cannot keep.
    return dict(env, IMS_PRODUCTION="true", IMS_SECRET_KEY=secrets.token_urlsafe(50), IMS_SECURE_SSL_REDIRECT="false")


def manage(env, *arguments):
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *arguments], env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(args, work, env):
    say("setting up the database, content, demo data, web fonts and static files")
    if not args.database_url:
        for suffix in ("", "-wal", "-shm"):
            (work / f"ims.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.rmtree(work / "media", ignore_errors=True)
    manage(env, "migrate", "-v0")
    if args.database_url:
        manage(env, "flush", "--noinput")
    manage(env, "load_content", "-v0")
    manage(env, "seed_demo")
    manage(env, "build_webfonts")
    manage(production(env), "collectstatic", "--noinput", "-v0")


def start_django(env):
    os.environ.update(env)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM runs beside Playwright's event loop
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_fixtures(batches):
    """A monitor reading Khmer with an assessment of their own for the tablet, and fresh visits for batches."""
    from datetime import date

    from ims.accounts.models import Membership, Organisation, Role, User
    from ims.assessments.workflow import plan_assessment, transition
    from ims.checklists.models import ChecklistVersion
    from ims.factories.models import Factory
    from ims.goodpractice.models import GoodPracticeSheet
    from ims.training.models import TrainingProgramme

    programme = Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME).first()
    monitor = User.objects.filter(email="bench.monitor@ims.demo").first()
    if monitor is None:  # a --reuse run finds the monitor of the run before
        monitor = User.objects.create_user("bench.monitor@ims.demo", PASSWORD, full_name="Bench Monitor",
                                           preferred_language="km")  # fmt: skip
        Membership.objects.create(user=monitor, organisation=programme, role=Role.MONITOR)
    head = User.objects.get(email="head@ims.demo")
    version = ChecklistVersion.objects.first()
    factories = list(Factory.objects.order_by("ref")[: batches + 1])

    def visit(factory, day):
        planned = plan_assessment(factory=factory, version=version, actor=head, visit_start=day, visit_end=day,
                                  monitors=[monitor])  # fmt: skip
        return transition(planned, "start", monitor).ref

    tablet = visit(factories[0], date(2026, 12, 8))
    batch_refs = [
        visit(factories[1 + number % (len(factories) - 1)], date(2026, 12, 9)) for number in range(batches + 1)
    ]
    from ims.assessments.models import Assessment

    report = Assessment.objects.filter(factory__ref="KH-0001", status="approved").order_by("-visit_start").first()
    public_paths = {
        "home": "/",
        "checklist": f"/checklists/{version.code}/",
        "good practice": "/good-practice/",
        "a sheet": f"/good-practice/{GoodPracticeSheet.objects.order_by('slug').first().slug}/",
        "factories": "/factories/",
        "a factory": "/factories/KH-0001/",
        "statistics": "/statistics/",
        "low compliance": "/statistics/low-compliance/",
        "high performing": "/statistics/high-performing/",
        "synthesis": "/statistics/synthesis/",
        "training": "/training/",
        "a programme": f"/training/programmes/{TrainingProgramme.objects.order_by('code').first().code}/",
        "report summary": f"/reports/{report.ref}/revisions/{report.current_revision().number}/summary/",
        "verify": "/reports/verify/",
        "sign in": "/accounts/login/",
    }
    detailed = f"/reports/{report.ref}/revisions/{report.current_revision().number}/"
    return {"tablet": tablet, "batches": batch_refs, "public": public_paths, "detailed": detailed}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in production mode, logging every request as a JSON line (method, path, status, bytes out and in)."""

    def __init__(self, env, work):
        self.port = free_port()
        self.log = work / "access.log"
        self.log.write_text("")
        command = [GUNICORN, "ims.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                   "--threads", "4", "--access-logfile", str(self.log), "--access-logformat", LOG_FORMAT,
                   "--error-logfile", str(work / "gunicorn.log")]  # fmt: skip
        self.process = subprocess.Popen(command, env=production(env), cwd=ROOT, start_new_session=True)
        for _attempt in range(150):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not start; see gunicorn.log")
        self.base = f"http://localhost:{self.port}"

    def warm_up(self, paths):
        """Every page once per worker and thread before measuring: a running site has its code loaded."""
        for path in [*paths, "/favicon.ico"] * 4:
            with contextlib.suppress(urllib.error.HTTPError):  # a 404 (no favicon) is warm too
                urllib.request.urlopen(f"{self.base}{path}", timeout=60).read()

    def mark(self):
        return self.log.stat().st_size

    def requests_since(self, mark):
        with self.log.open() as handle:
            handle.seek(mark)
            return [json.loads(line) for line in handle if line.strip()]

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


# --- the browser ---------------------------------------------------------------------------------------------


def conditions(network, offline=False):
    if offline:
        return {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    figures = NETWORKS[network]
    return {"offline": False, "latency": figures["latency"], "downloadThroughput": figures["down_kbit"] * 1000 / 8,
            "uploadThroughput": figures["up_kbit"] * 1000 / 8}  # fmt: skip


class Recorder:
    """Every request of one page as DevTools sees it: start, end, bytes on the wire, status."""

    def __init__(self, cdp):
        self.requests = {}
        self.server_status = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.responseReceivedExtraInfo", self._raw_response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event):
        previous = self.requests.get(event["requestId"])
        if previous is not None and event.get("redirectResponse"):
            # A redirect reuses the request id: keep the hop that ended as its own entry.
            previous.update(end=event["timestamp"], status=event["redirectResponse"]["status"])
            self.requests[f"{event['requestId']}-{event['timestamp']}"] = previous
        identifier, url, kind = event["requestId"], event["request"]["url"], event.get("type", "")
        self.requests[identifier] = {"id": identifier, "url": url, "type": kind, "start": event["timestamp"],
                                     "end": None, "bytes": 0, "status": None}  # fmt: skip

    def _response(self, event):
        if request := self.requests.get(event["requestId"]):
            request["status"] = event["response"]["status"]

    def _raw_response(self, event):
        # What the server answered: a revalidated page is a 304 here, where responseReceived shows the cached 200.
        self.server_status[event["requestId"]] = event["statusCode"]

    def _finished(self, event):
        if request := self.requests.get(event["requestId"]):
            request.update(end=event["timestamp"], bytes=event["encodedDataLength"])

    def _failed(self, event):
        if request := self.requests.get(event["requestId"]):
            request.update(end=event["timestamp"], status=event.get("errorText"))

    def pending(self):
        return sum(1 for request in self.requests.values() if request["end"] is None)

    def since(self, start):
        return [request for request in self.requests.values() if request["start"] >= start]


async def settle(page, recorder, quiet_ms=700):
    """Wait until the page's fonts are loaded and no request has been in flight for quiet_ms."""
    await page.evaluate("document.fonts.ready.then(() => true)")
    quiet = 0
    while quiet < quiet_ms:
        await page.wait_for_timeout(100)
        quiet = quiet + 100 if recorder.pending() == 0 else 0


def font_script(url):
    name = url.rsplit("/", 1)[-1]
    if not name.endswith(".woff2"):
        return None
    if "names" in name:
        return "names"
    return "khmer" if "khmer" in name else "chinese"


def page_figures(requests):
    start = min(request["start"] for request in requests)
    end = max(request["end"] or request["start"] for request in requests)
    fonts = {"khmer": 0, "chinese": 0, "names": 0}
    for request in requests:
        if script := font_script(request["url"]):
            fonts[script] += request["bytes"]
    return {"seconds": round(end - start, 2), "kib": round(sum(r["bytes"] for r in requests) / 1024, 1),
            "requests": len(requests), "font_kib": {k: round(v / 1024, 1) for k, v in fonts.items()}}  # fmt: skip


async def open_page(context, network):
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    cdp = await context.new_cdp_session(page)
    recorder = Recorder(cdp)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", conditions(network))
    return page, cdp, recorder


async def measure_page(browser, base, language, name, path, network):
    context = await browser.new_context(viewport={"width": 412, "height": 915}, device_scale_factor=2.625,
                                        is_mobile=True, has_touch=True)  # fmt: skip
    try:
        page, _cdp, recorder = await open_page(context, network)
        url = f"{base}/{language}{path}"
        await page.goto(url, wait_until="load")
        await settle(page, recorder)
        cold = page_figures(list(recorder.requests.values()))
        form_token = await page.locator('input[name="csrfmiddlewaretoken"]').count() > 0
        # Chinese characters the page shows outside the language switcher (a factory's Chinese name, say).
        chinese_text = await page.evaluate(
            """() => {
                const switcher = document.querySelector('.language-switcher');
                const text = document.body.innerText.replace(switcher ? switcher.innerText : '', '');
                return new Set(text.match(/[\\u2e80-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef]/g) || []).size;
            }"""
        )
        started = max(request["start"] for request in recorder.requests.values())
        await page.goto(url, wait_until="load")
        await settle(page, recorder)
        repeat = [request for request in recorder.since(started + 1e-6)]
        document = next(request for request in repeat if request["type"] == "Document")
        document["status"] = recorder.server_status.get(document["id"], document["status"])
        figures = {"language": language, "page": name, "network": network, **cold, "chinese_text": chinese_text,
                   "form_token": form_token,
                   "repeat_status": document["status"],
                   "repeat_kib": round(sum(request["bytes"] for request in repeat) / 1024, 1)}  # fmt: skip
        say(f"{network} {language:7} {name:16} {figures['seconds']:6.2f} s {figures['kib']:8.1f} KiB "
            f"repeat {figures['repeat_status']}")  # fmt: skip
        return figures
    finally:
        await context.close()


async def measure_pages(browser, base, fixtures, args):
    semaphore = asyncio.Semaphore(args.parallel)

    async def one(language, name, path, network):
        async with semaphore:
            return await measure_page(browser, base, language, name, path, network)

    chosen = {
        name: path for name, path in fixtures["public"].items() if not args.pages or name in args.pages.split(",")
    }
    jobs = [(language, name, path, "regular-3g") for name, path in chosen.items() for language in LANGUAGES]
    slow = [name for name in args.slow_pages.split(",") if name]
    jobs += [(language, name, chosen[name], "slow-3g") for name in slow if name in chosen for language in LANGUAGES]
    results = []
    for network in NETWORKS:  # one network at a time, so parallel pages share the machine alike
        results += await asyncio.gather(*(one(*job) for job in jobs if job[3] == network))
    return results


class ServiceWorkerThrottle:
    """Applies the page's network emulation to the context's service workers too (DevTools does the same):
    otherwise what the worker fetches would travel at loopback speed."""

    def __init__(self, browser_cdp):
        self.cdp = browser_cdp
        self.sessions = []
        self.current = None
        self.message_id = 0
        self.attaching = set()
        self.replies = {}
        browser_cdp.on("Target.targetCreated", self._created)
        browser_cdp.on("Target.receivedMessageFromTarget", self._reply)

    async def start(self, current):
        self.current = current
        await self.cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _created(self, event):
        if event["targetInfo"]["type"] == "service_worker":
            task = asyncio.ensure_future(self._attach(event["targetInfo"]["targetId"]))
            self.attaching.add(task)
            task.add_done_callback(self.attaching.discard)

    def _reply(self, event):
        message = json.loads(event["message"])
        if (waiting := self.replies.pop(message.get("id"), None)) is not None:
            waiting.set_result(message)

    async def _send(self, session, method, params):
        """Send one command to the worker and wait for its answer, so the worker is set before the page."""
        self.message_id += 1
        self.replies[self.message_id] = reply = asyncio.get_running_loop().create_future()
        message = json.dumps({"id": self.message_id, "method": method, "params": params})
        await self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})
        await asyncio.wait_for(reply, 30)

    async def _attach(self, target):
        session = (await self.cdp.send("Target.attachToTarget", {"targetId": target, "flatten": False}))["sessionId"]
        self.sessions.append(session)
        await self._send(session, "Network.enable", {})
        await self._send(session, "Network.emulateNetworkConditions", self.current)

    async def apply(self, current):
        self.current = current
        for session in self.sessions:
            await self._send(session, "Network.emulateNetworkConditions", current)


async def wait_for(page, selector):
    await page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
    return time.monotonic()


def traffic(entries):
    sent = sum(int(entry["in"]) for entry in entries if entry["in"].isdigit())
    received = sum(entry["out"] or 0 for entry in entries)
    return {"requests": len(entries), "up_kib": round(sent / 1024, 1), "down_kib": round(received / 1024, 1)}


def sequential_steps(requests):
    """Requests that had to wait for the one before: a new step starts when nothing else is in flight."""
    steps, busy_until = 0, None
    for request in sorted(requests, key=lambda item: item["start"]):
        if busy_until is None or request["start"] >= busy_until:
            steps += 1
            busy_until = request["end"] or request["start"]
        else:
            busy_until = max(busy_until, request["end"] or request["start"])
    return steps


async def measure_tablet(browser, server, fixtures, work):
    from label_photos import label_photo_jpeg

    network = "regular-3g"
    context = await browser.new_context(viewport={"width": 1024, "height": 1366}, has_touch=True)
    workers = ServiceWorkerThrottle(await browser.new_browser_cdp_session())
    await workers.start(conditions(network))
    app = f"/km/capture/{fixtures['tablet']}/"
    results = {}
    try:
        page, cdp, recorder = await open_page(context, network)
        started = time.monotonic()
        await page.goto(f"{server.base}/km/accounts/login/?next={app}", wait_until="load")
        await settle(page, recorder)
        results["sign_in_page_s"] = round(time.monotonic() - started, 2)
        await page.fill("#id_username", "bench.monitor@ims.demo")
        await page.fill("#id_password", PASSWORD)
        mark = server.mark()
        submitted = time.monotonic()
        await page.locator("form:has(#id_username) [type=submit]").click()
        results["screen_ready_s"] = round(await wait_for(page, '#offline-capture[data-state="ready"]') - submitted, 2)
        offline_ready = await wait_for(page, '#offline-capture[data-offline-ready="true"]')
        results["offline_ready_s"] = round(offline_ready - submitted, 2)
        await settle(page, recorder)
        results["fresh"] = traffic(server.requests_since(mark))
        results["fresh_largest"] = sorted(((e["out"], e["path"]) for e in server.requests_since(mark)), reverse=True)[
            :4
        ]
        say(f"fresh tablet: ready offline {results['offline_ready_s']} s after signing in")

        await page.close()
        page, cdp, recorder = await open_page(context, network)
        mark = server.mark()
        opened = time.monotonic()
        await page.goto(f"{server.base}{app}", wait_until="commit")
        results["reopen_ready_s"] = round(await wait_for(page, '#offline-capture[data-state="ready"]') - opened, 2)
        await settle(page, recorder)
        results["reopen_settled_s"] = round(time.monotonic() - opened, 2)
        results["reopen"] = traffic(server.requests_since(mark))
        say(f"reopening: ready in {results['reopen_ready_s']} s, {results['reopen']['down_kib']} KiB")

        await cdp.send("Network.emulateNetworkConditions", conditions(network, offline=True))
        await workers.apply(conditions(network, offline=True))
        await wait_for(page, '#offline-capture[data-network="offline"]')
        await answer_everything(page)
        photo_cards = await page.eval_on_selector_all(".capture-card", "cards => cards.map(c => c.dataset.question)")
        for index, code in enumerate(photo_cards[:: len(photo_cards) // PHOTOS][:PHOTOS]):
            photo = work / f"label-{index}.jpg"
            if not photo.exists():
                photo.write_bytes(label_photo_jpeg(index))
            await page.locator(f'[id="q-{code}"] input[type="file"]').set_input_files(str(photo))
        await wait_for(page, f'#offline-capture[data-pending="{len(photo_cards) + PHOTOS}"]')
        results["answers"] = len(photo_cards)

        mark = server.mark()
        browser_started = max(request["start"] for request in recorder.requests.values())
        started = time.monotonic()
        await workers.apply(conditions(network))
        await cdp.send("Network.emulateNetworkConditions", conditions(network))
        # The screen syncs as soon as it hears it is online. Under emulation it may hear it before the link is up:
        # that attempt fails at once (nothing reaches the server), and the sync is timed from "Sync now" instead.
        await wait_for(
            page, '#offline-capture[data-sync="failed"], #offline-capture[data-pending="0"][data-sync="done"]'
        )
        results["sync_started_by"] = "going online"
        if await page.get_attribute("#offline-capture", "data-sync") == "failed":
            browser_started = max(request["start"] for request in recorder.requests.values())
            started = time.monotonic()
            await page.locator("#sync-now").click()
            results["sync_started_by"] = "Sync now"
        await wait_for(page, '#offline-capture[data-pending="0"][data-sync="done"]')
        results["sync_s"] = round(time.monotonic() - started, 2)
        await settle(page, recorder)
        entries = server.requests_since(mark)
        results["sync"] = traffic(entries)
        sent = recorder.since(browser_started + 1e-6)
        results["sync"]["sequential_steps"] = sequential_steps(sent)
        results["sync_timeline"] = [
            (
                round(r["start"] - sent[0]["start"], 2),
                round((r["end"] or r["start"]) - r["start"], 2),
                r["status"],
                r["url"].split(str(server.port))[-1][:70],
            )
            for r in sorted(sent, key=lambda r: r["start"])
        ]
        results["sync_photo_kib"] = [round(int(e["in"]) / 1024, 1) for e in entries
                                     if e["method"] == "PUT" and "/uploads/" in e["path"]]  # fmt: skip
        say(f"sync: {results['sync_s']} s, {results['sync']['requests']} requests")
        return results
    finally:
        await context.close()


async def answer_everything(page):
    """Offline, every question answered (cycling through the answers) with a note, as a monitor would."""
    count = await page.evaluate(
        """(notes) => {
            const cards = [...document.querySelectorAll('.capture-card')];
            cards.forEach((card, index) => {
                const answers = card.querySelectorAll('button[data-answer]');
                answers[index % answers.length].click();
            });
            cards.forEach((card, index) => {
                const note = card.querySelector('textarea');
                note.value = notes[index % notes.length];
                note.dispatchEvent(new Event('change'));
            });
            return cards.length;
        }""",
        NOTES,
    )
    await wait_for(page, f'#offline-capture[data-pending="{count}"]')
    # Every note is in IndexedDB before going on (the screen writes them one by one).
    config = await page.evaluate("JSON.parse(document.getElementById('capture-config').textContent)")
    # Through the screen's own store module (its hashed address from the page's modulepreload link), polled in the
    # page: not page.wait_for_function, whose predicate the Content Security Policy may refuse to evaluate.
    await page.evaluate(
        """async ([user, ref, count, timeout]) => {
            const address = document.querySelector('link[rel="modulepreload"][href*="/capture/store."]').href;
            const store = await (await import(address)).open(user);
            const deadline = Date.now() + timeout;
            while ((await store.byRef('findings', ref)).filter((record) => record.note).length !== count) {
                if (Date.now() > deadline) {
                    throw new Error('the notes did not all reach IndexedDB');
                }
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
        }""",
        [config["user"], config["ref"], count, TIMEOUT_MS],
    )


async def browse(server, fixtures, args, work):
    from playwright.async_api import async_playwright

    results = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if "pages" in args.parts:
                results["pages"] = await measure_pages(browser, server.base, fixtures, args)
            if "tablet" in args.parts:
                results["tablet"] = await measure_tablet(browser, server, fixtures, work)
        finally:
            await browser.close()
    return results


# --- in process ----------------------------------------------------------------------------------------------


def timed(client, method, path, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (it keeps the last 9,000) would count nothing
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        response = getattr(client, method)(path, **kwargs)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return response, elapsed * 1000, len(queries), cpu * 1000


def measure_server(fixtures):
    from django.test import Client

    from ims.accounts.models import User
    from ims.assessments.models import Assessment

    say("server time in process")
    results = {}
    monitor = Client(HTTP_HOST="localhost")
    monitor.force_login(User.objects.get(email="bench.monitor@ims.demo"))
    runs = []
    for number, ref in enumerate(fixtures["batches"]):
        questions = Assessment.objects.get(ref=ref).checklist_version.questions.order_by("pk")[:200]
        items = [{"client_uuid": str(uuid.uuid4()), "question": question.code, "answer": "compliant",
                  "note": NOTES[index % len(NOTES)], "note_language": "en", "base_version": None}
                 for index, question in enumerate(questions)]  # fmt: skip
        path = f"/api/v1/capture/assessments/{ref}/findings/"
        response, ms, queries, cpu_ms = timed(monitor, "post", path, data={"findings": items},
                                              content_type="application/json")  # fmt: skip
        assert response.status_code == 200, response.content[:300]
        if number:  # the first one loads the code it runs (a running server has it loaded)
            runs.append((ms, queries, cpu_ms))
    results["batch_200_ms"] = round(statistics.median(ms for ms, _queries, _cpu in runs))
    results["batch_200_cpu_ms"] = round(statistics.median(cpu for _ms, _queries, cpu in runs))
    results["batch_200_queries"] = max(queries for _ms, queries, _cpu in runs)
    # The machine may be shared: what else ran shows in the load average (processor time is this process's alone).
    results["load_average"] = round(os.getloadavg()[0], 1)
    anonymous = Client(HTTP_HOST="localhost")
    pages = {}
    for name, path in fixtures["public"].items():
        for language in LANGUAGES:
            timings = [timed(anonymous, "get", f"/{language}{path}") for _run in range(3)]
            pages[f"{language} {name}"] = (round(statistics.median(t[1] for t in timings), 1), timings[-1][2])
    results["pages_ms"] = {"min": min(v[0] for v in pages.values()), "max": max(v[0] for v in pages.values()),
                           "slowest": max(pages, key=lambda key: pages[key][0])}  # fmt: skip
    head = Client(HTTP_HOST="localhost")
    head.force_login(User.objects.get(email="head@ims.demo"))
    timings = [timed(head, "get", f"/km{fixtures['detailed']}") for _run in range(3)]
    results["detailed_report_ms"] = round(statistics.median(t[1] for t in timings))
    results["detailed_report_queries"] = timings[-1][2]
    return results


# --- the table -----------------------------------------------------------------------------------------------


def say(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def goal_rows(results):
    """(label, value, goal, met) for each goal of the issue, from the figures."""
    table = []

    def goal(label, value, target, met):
        table.append((label, value, target, met))

    pages = [page for page in results.get("pages", []) if page["network"] == "regular-3g"]
    for languages, seconds, kib in ((("en", "km"), 3, 250), (("zh-hans",), 5, 500)):
        group = [page for page in pages if page["language"] in languages]
        if group:
            names = "/".join(languages)
            slow = max(group, key=lambda page: page["seconds"])
            heavy = max(group, key=lambda page: page["kib"])
            where = f"({slow['language']} {slow['page']})"
            goal(f"{names} pages: slowest fully loaded", f"{slow['seconds']:.1f} s {where}", f"< {seconds} s",
                 slow["seconds"] < seconds)  # fmt: skip
            where = f"({heavy['language']} {heavy['page']})"
            goal(f"{names} pages: heaviest", f"{heavy['kib']:.0f} KiB {where}", f"< {kib} KiB", heavy["kib"] < kib)
    plain = [page for page in pages if page["language"] != "zh-hans" and not page["chinese_text"]]
    if plain:
        most = max(plain, key=lambda page: page["font_kib"]["chinese"])
        kib = most["font_kib"]["chinese"]
        goal("en/km pages without Chinese text: Chinese font", f"{kib:.1f} KiB ({most['language']} {most['page']})",
             "<= 4 KiB", kib <= 4)  # fmt: skip
    if pages:
        # A page with a form carries a CSRF token made for this visitor: it has changed, and is never stored.
        plain = [page for page in pages if not page.get("form_token")]
        repeats = sum(1 for page in plain if page["repeat_status"] == 304)
        goal("repeat visits answered 304 (pages without a form token)", f"{repeats} of {len(plain)}", "all",
             repeats == len(plain))  # fmt: skip
    if tablet := results.get("tablet"):
        ready, reopen, kib = tablet["offline_ready_s"], tablet["reopen_ready_s"], tablet["reopen"]["down_kib"]
        goal("fresh tablet: signed in -> ready offline", f"{ready:.1f} s", "< 10 s", ready < 10)
        goal("reopening online: screen ready", f"{reopen:.2f} s", "< 1 s", reopen < 1)
        goal("reopening online: downloaded", f"{kib:.1f} KiB", "a few KiB", kib < 10)
        goal(f"sync of {tablet['answers']} answers, notes, {PHOTOS} photos", f"{tablet['sync_s']:.1f} s", "< 25 s",
             tablet["sync_s"] < 25)  # fmt: skip
    if server := results.get("server"):
        goal("200-answer batch: server time", f"{server['batch_200_ms']} ms", "< 200 ms", server["batch_200_ms"] < 200)
    return table


def detail_rows(results):
    """(label, value) for the figures behind the goals."""
    table = []
    if tablet := results.get("tablet"):
        fresh, reopen, sync = tablet["fresh"], tablet["reopen"], tablet["sync"]
        largest = ", ".join(f"{path} {size / 1024:.0f} KiB" for size, path in tablet["fresh_largest"][:3])
        table += [
            ("tablet: sign-in page fully loaded (km)", f"{tablet['sign_in_page_s']:.1f} s"),
            ("tablet: signed in -> capture screen ready", f"{tablet['screen_ready_s']:.1f} s"),
            ("tablet: downloaded after signing in", f"{fresh['down_kib']:.0f} KiB, {fresh['requests']} requests"),
            ("tablet: largest downloads", largest),
            (
                "tablet: reopening, all requests done",
                f"{tablet['reopen_settled_s']:.2f} s, {reopen['requests']} requests",
            ),
            ("sync: started by", tablet["sync_started_by"]),
            ("sync: requests (sequential steps)", f"{sync['requests']} ({sync['sequential_steps']})"),
            ("sync: sent / received", f"{sync['up_kib']:.0f} / {sync['down_kib']:.0f} KiB"),
            ("sync: photo pieces", " ".join(f"{kib:.0f}" for kib in tablet["sync_photo_kib"]) + " KiB"),
        ]
    if server := results.get("server"):
        pages = server["pages_ms"]
        table += [
            ("200-answer batch: SQL queries", str(server["batch_200_queries"])),
            ("200-answer batch: processor time", f"{server.get('batch_200_cpu_ms', '-')} ms "
             f"(load average {server.get('load_average', '-')} on {os.cpu_count()} cores)"),
            ("public pages: server time", f"{pages['min']}-{pages['max']} ms (slowest: {pages['slowest']})"),
            ("detailed report (km): server time", f"{server['detailed_report_ms']} ms, "
             f"{server['detailed_report_queries']} queries"),
        ]  # fmt: skip
    return table


def page_line(page):
    fonts = page["font_kib"]
    return (f"{page['seconds']:6.1f} {page['kib']:7.0f} {fonts['khmer']:5.0f} {fonts['chinese']:6.0f} "
            f"{fonts['names']:5.0f} {page['repeat_status']!s:>6} {page['repeat_kib']:6.1f}")  # fmt: skip


def print_table(results, baseline):
    baseline = baseline or {}
    columns = "     s     KiB    km     zh names repeat    KiB"
    before = {(page["network"], page["language"], page["page"]): page for page in baseline.get("pages", [])}
    if results.get("pages"):
        print("\npages (fonts: web font KiB per script; repeat: status and KiB of the second visit)")
        if before:
            print(f"{'':34}{'before':^{len(columns)}}  {'now':^{len(columns)}}")
        print(f"{'':34}{columns + '  ' if before else ''}{columns}")
        for page in results["pages"]:
            label = f"{page['network']} {page['language']} {page['page']}"
            previous = before.get((page["network"], page["language"], page["page"]))
            print(f"{label:34}{page_line(previous) + '  ' if previous else ''}{page_line(page)}")
    print_pairs("details", detail_rows(results), dict(detail_rows(baseline)))
    old = {label: value for label, value, _goal, _met in goal_rows(baseline)}
    print("\ngoals")
    goals = goal_rows(results)
    width = max((len(label) for label, *_rest in goals), default=0)
    for label, value, goal, met in goals:
        previous = f"{old.get(label, '-'):>40}  " if old else ""
        print(f"{label:{width}}  {previous}{value:>40}  {goal:>10}  {'met' if met else 'NOT MET'}")


def print_pairs(title, pairs, before):
    print(f"\n{title}")
    width = max((len(label) for label, _value in pairs), default=0)
    for label, value in pairs:
        previous = f"{before.get(label, '-')}  ->  " if before else ""
        print(f"{label:{width}}  {previous}{value}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to empty and use (default: SQLite)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ims-field-bench"))
    parser.add_argument("--parallel", type=int, default=3, help="pages loaded at once (each emulates its own link)")
    parser.add_argument("--parts", default="pages,tablet,server")
    parser.add_argument("--pages", help="only these public pages (comma-separated names; default: all)")
    parser.add_argument("--slow-pages", default="home,report summary", help="pages also loaded on slow 3G")
    parser.add_argument("--batches", type=int, default=6, help="200-answer batches timed in process (after one)")
    parser.add_argument("--reuse", action="store_true", help="keep the database and static files of the last run")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    env = environment(args, args.work)
    if not args.reuse:
        prepare(args, args.work, env)
    start_django(env)
    fixtures = make_fixtures(args.batches)
    results = {}
    if "server" in args.parts:
        results["server"] = measure_server(fixtures)
    from django.db import connections

    connections.close_all()
    server = Server(env, args.work)
    try:
        server.warm_up([f"/{language}{path}" for path in fixtures["public"].values() for language in LANGUAGES])
        results.update(asyncio.run(browse(server, fixtures, args, args.work)))
    finally:
        server.stop()
    if args.save:
        args.save.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print_table(results, json.loads(args.baseline.read_text()) if args.baseline else None)


if __name__ == "__main__":
    main()
