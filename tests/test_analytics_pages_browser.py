"""The statistics page and the directory's filters as a person uses them, in headless Chromium."""

from io import StringIO

import pytest
from django.core.management import call_command

from ims.analytics.models import IndustryYear
from ims.factories.models import Factory
from tests.clients import wait_for_fonts
from tests.factories import ensure_content

pytestmark = pytest.mark.browser
YEAR = 2025


@pytest.fixture
def generated(transactional_db, make_user, programme):
    ensure_content()
    make_user("head@browser.example", "head", programme)
    call_command("generate_demo", factories=12, years=2, end_year=YEAR, seed=11, stdout=StringIO())


def test_the_statistics_page_draws_its_charts_beside_readable_tables(live_server, generated, page):
    page.goto(f"{live_server.url}/km/statistics/?year={YEAR}")
    wait_for_fonts(page)
    assert page.locator("html").get_attribute("lang") == "km"
    assessed = IndustryYear.objects.get(year=YEAR).factories_assessed
    assert page.locator("#factories-assessed").inner_text() == str(assessed)

    charts = page.locator("figure.chart svg")
    assert charts.count() == 2  # the trends and employment; rates are bars in their tables
    box = charts.first.bounding_box()
    assert box["width"] > 300 and box["height"] > 100  # drawn, not collapsed
    # Chart labels stay text the browser draws (codes), the names are in the table beside it
    assert "CL" in [text.strip() for text in charts.first.locator("text").all_text_contents()]
    assert "ពលកម្មកុមារ" in page.locator("#trend-CL").inner_text()  # Child Labour in Khmer, from the checklist
    cluster_row = page.locator("#rate-CL")
    assert "ពលកម្មកុមារ" in cluster_row.inner_text()
    assert cluster_row.locator("svg.bars").bounding_box()["width"] > 100  # the bar under the name

    # The year selector reloads the page for another year
    page.select_option("select[name=year]", str(YEAR - 1))
    page.locator("form.year button[type=submit]").click()
    page.wait_for_url(f"**/km/statistics/?year={YEAR - 1}")
    assert page.locator("#factories-assessed").inner_text() == str(
        IndustryYear.objects.get(year=YEAR - 1).factories_assessed
    )


def test_the_directory_filters_by_sector_and_compliance_band(live_server, generated, page):
    footwear = Factory.objects.filter(sector="garment").first()
    footwear.sector = "footwear"
    footwear.save()
    page.goto(f"{live_server.url}/en/factories/")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == Factory.objects.exclude(status="closed").count()

    page.select_option("select[name=sector]", "footwear")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/en/factories/?*sector=footwear*")
    names = page.locator("table.data tbody tr td.names a").all_inner_texts()
    assert footwear.name_en in names
    assert len(names) == Factory.objects.filter(sector="footwear").exclude(status="closed").count()

    page.select_option("select[name=sector]", "")
    page.select_option("select[name=band]", "not_assessed")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**band=not_assessed*")
    assert page.get_by_text("Nothing matches these filters.").is_visible()
