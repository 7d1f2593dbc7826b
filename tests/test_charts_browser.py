"""The charts on a 390 px phone in Khmer and Chinese, in headless Chromium: named in the reader's language,
text large enough to read, no label over another, nothing wider than the screen."""

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ims.analytics.models import VisitResult
from ims.checklists.models import Cluster
from tests.clients import wait_for_fonts
from tests.factories import ensure_content

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
YEAR = 2025
SMALLEST_TEXT = 12  # CSS px

# Every chart (a line or column chart's figure, a table drawn as a bar chart, a table naming a chart's lines):
# whether it scrolls sideways, and each piece of its text with its box and the size it is drawn at. SVG text
# is drawn at its font size times the SVG's scale (matplotlib sizes it in points of its viewBox).
MEASURE_CHARTS = """() => {
    const box = (rect) => ({left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom});
    const fontSize = (node) => parseFloat(getComputedStyle(node).fontSize);
    const charts = [...document.querySelectorAll("figure.chart, table.chart, table.legend")].map((chart) => {
        const texts = [];
        for (const text of chart.querySelectorAll("svg text")) {
            if (!text.textContent.trim()) continue;
            const svg = text.ownerSVGElement;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            texts.push({text: text.textContent, size: fontSize(text) * scale, box: box(text.getBoundingClientRect())});
        }
        const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            // Text for screen readers only (a caption said by the heading above it) is not drawn.
            if (!node.textContent.trim() || node.parentElement.closest("svg, .visually-hidden")) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            texts.push({text: node.textContent.trim(), size: fontSize(node.parentElement),
                        box: box(range.getBoundingClientRect())});
        }
        return {chart: chart.id || chart.className, scrolls: chart.scrollWidth > chart.clientWidth + 1, texts};
    });
    return {width: document.documentElement.scrollWidth, charts};
}"""


def overlapping(texts):
    """Pairs of texts whose boxes share more than half a pixel each way."""
    return [
        (first["text"], second["text"])
        for first, second in itertools.combinations(texts, 2)
        if min(first["box"]["right"], second["box"]["right"]) - max(first["box"]["left"], second["box"]["left"]) > 0.5
        and min(first["box"]["bottom"], second["box"]["bottom"]) - max(first["box"]["top"], second["box"]["top"]) > 0.5
    ]


@pytest.fixture
def generated(transactional_db, make_user, programme):
    ensure_content()
    head = make_user("head@charts.example", "head", programme)
    call_command("generate_demo", factories=12, years=3, end_year=YEAR, seed=11, stdout=StringIO())
    return head


@pytest.mark.parametrize("language", ["km", "zh-hans"])
def test_charts_on_a_phone_are_named_in_the_language_legible_and_apart(
    live_server, generated, browser_context, language
):
    client = Client()
    client.force_login(generated)
    context = browser_context(viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    names = {cluster.code: cluster.text_in("name", language) for cluster in Cluster.objects.all()}
    factory_ref = VisitResult.objects.order_by("factory__ref").values_list("factory__ref", flat=True).first()
    with translation.override(language):
        pages = {
            "statistics": (reverse("analytics:statistics") + f"?year={YEAR}", ("#rate-{}", "#trend-{}"), 6),
            "synthesis": (reverse("analytics:synthesis") + f"?year={YEAR}", ("#rate-{}", "#trend-{}"), 5),
            "dashboard": (reverse("analytics:factory_dashboard", args=[factory_ref]), ("#position-{}",), 2),
        }
    for name, (path, rows, chart_count) in pages.items():
        page.goto(live_server.url + path)
        wait_for_fonts(page)
        assert page.locator("html").get_attribute("lang") == language
        # Each chart names the clusters in the page's language (the code may stay in front)
        for row in rows:
            for code, cluster_name in names.items():
                assert page.locator(f"{row.format(code)} .chart-name").inner_text() == f"{code} {cluster_name}"
                # ...and under a bar chart's names, bars as wide as the column
                if row != "#trend-{}":
                    assert page.locator(f"{row.format(code)} svg.bars").bounding_box()["width"] > 80

        measured = page.evaluate(MEASURE_CHARTS)
        assert measured["width"] <= PHONE["width"], name
        assert len(measured["charts"]) >= chart_count, (name, [chart["chart"] for chart in measured["charts"]])
        for chart in measured["charts"]:
            where = (name, chart["chart"])
            assert not chart["scrolls"], where
            assert len(chart["texts"]) > 3, where
            assert [text["text"] for text in chart["texts"] if text["size"] < SMALLEST_TEXT] == [], where
            assert overlapping(chart["texts"]) == [], where
