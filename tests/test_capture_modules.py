"""The capture screen's logic modules (answer state, navigation, conditions, sync queue, texts), unit-tested in
headless Chromium: the test modules under tests/js import them as the page does (ES modules, no bundler), under the
site's Content Security Policy (scripts from the page's own origin only). Each JS test is one pytest test here, so a
failing one is named; a JS test that did not run fails too."""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SERVED = {"/static/capture/": ROOT / "ims" / "static" / "capture", "/tests/": ROOT / "tests" / "js"}
ORIGIN = "http://capture-modules.test"
TYPES = {".js": "text/javascript; charset=utf-8", ".html": "text/html; charset=utf-8"}
CSP = "default-src 'self'; script-src 'self'; object-src 'none'"


def js_test_names():
    """The names the test modules register, read from their source so each is collected on its own."""
    names = []
    for path in sorted(SERVED["/tests/"].glob("*.test.js")):
        names += re.findall(r'^test\(\s*"([^"]+)"', path.read_text(encoding="utf-8"), re.MULTILINE)
    return names


def serve(route):
    path = route.request.url[len(ORIGIN) :]
    for prefix, folder in SERVED.items():
        if path.startswith(prefix):
            file = (folder / path[len(prefix) :]).resolve()
            if file.is_relative_to(folder) and file.is_file():
                headers = {"Content-Type": TYPES[file.suffix], "Content-Security-Policy": CSP}
                route.fulfill(status=200, headers=headers, body=file.read_bytes())
                return
    route.fulfill(status=404, body=b"")


@pytest.fixture(scope="module")
def js_results(browser):
    from playwright.sync_api import expect

    context = browser.new_context()
    refused = []
    context.on("console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None)
    context.route(f"{ORIGIN}/**", serve)
    page = context.new_page()
    page.goto(f"{ORIGIN}/tests/index.html")
    output = page.locator("#results")
    expect(output).to_have_attribute("data-finished", "true", timeout=20_000)
    results = {item["name"]: item for item in json.loads(output.text_content())}
    context.close()
    assert not refused, refused
    return results


def test_every_test_module_is_run_and_every_test_named_once(js_results):
    names = js_test_names()
    assert len(names) == len(set(names)) >= 20
    assert set(js_results) == set(names), "the runner (tests/js/run.js) must import every *.test.js"


@pytest.mark.parametrize("name", js_test_names())
def test_js(js_results, name):
    result = js_results.get(name)
    assert result is not None, f"{name!r} did not run"
    assert result["passed"], result.get("message")
