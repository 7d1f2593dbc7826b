"""The public transparency pages, the private dashboards and the synthesis report, over generated data."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from ims.accounts.models import Membership, Organisation, Role
from ims.analytics.models import IndustryAggregate, IndustryYear, VisitResult
from ims.analytics.synthesis import synthesis
from ims.checklists.models import Cluster, Question
from ims.core import webfonts
from ims.factories.models import Factory, Province
from ims.grants.models import AccessGrant
from tests.clients import drawn_glyphs, pdf_text, runs_in, shaped_glyphs, space_glyph, squeezed
from tests.factories import PASSWORD

LANGUAGES = ("en", "km", "zh-hans")
YEAR = 2025


@pytest.fixture
def industry(team, content):
    """15 generated factories assessed each year 2023-2025 (90 published assessments), aggregates refreshed."""
    call_command("generate_demo", factories=15, years=3, end_year=YEAR, seed=7, stdout=StringIO())
    generated = Factory.objects.filter(ref__startswith="GEN").order_by("ref")
    watched, other = generated[0], generated[1]
    watched_org = Organisation.objects.create(name="Watched", kind=Organisation.Kind.FACTORY, factory=watched)
    other_org = Organisation.objects.create(name="Other generated", kind=Organisation.Kind.FACTORY, factory=other)
    Membership.objects.create(user=team.manager, organisation=watched_org, role=Role.FACTORY_MANAGER)
    Membership.objects.create(user=team.other_manager, organisation=other_org, role=Role.FACTORY_MANAGER)
    AccessGrant.objects.create(factory=watched, buyer=team.buyer_org, granted_by=team.manager)
    team.watched = watched
    return team


def h1(response):
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S).group(1)).strip()


def public_pages(industry):
    ref = industry.watched.ref
    return {
        "statistics": (reverse("analytics:statistics"), "Industry statistics"),
        "low": (reverse("analytics:low_compliance"), "Low-compliance factories"),
        "high": (reverse("analytics:high_performing"), "High-performing factories"),
        "synthesis": (reverse("analytics:synthesis") + f"?year={YEAR}", None),
        "directory": (reverse("factories:directory"), "Factory directory"),
        "factory": (reverse("factories:detail", args=[ref]), None),
    }


def localised(path, language):
    return f"/{language}/" + path.split("/", 2)[2]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_answers_in_each_language_with_its_heading(industry, client, language):
    for name, (path, heading) in public_pages(industry).items():
        response = client.get(localised(path, language))
        assert response.status_code == 200, name
        assert f'<html lang="{language}">' in response.text, name
        with translation.override(language):
            expected = translation.gettext(heading) if heading else None
            if name == "synthesis":
                expected = translation.gettext("Assessment findings %(year)s") % {"year": YEAR}
        if expected:
            assert h1(response) == expected, name
        if name == "factory":
            assert h1(response) == industry.watched.name_en


@pytest.mark.parametrize("language", ["km", "zh-hans"])
def test_public_headings_are_translated(industry, client, language):
    """Fails until the lead has translated the new strings (like tests/test_catalogs.py)."""
    for name, (path, heading) in public_pages(industry).items():
        if heading:
            response = client.get(localised(path, language))
            assert h1(response) != heading, (name, language)


def test_statistics_page_shows_the_aggregates_of_the_year_with_charts_and_tables(industry, client):
    response = client.get(reverse("analytics:statistics") + f"?year={YEAR}")
    year = IndustryYear.objects.get(year=YEAR)
    assert f'<div class="stat" id="factories-assessed">{year.factories_assessed}</div>' in response.text
    issue = IndustryAggregate.objects.filter(year=YEAR, level="question", publicly_reported=True).order_by("order")[0]
    row = re.search(rf'<tr id="rate-{re.escape(issue.code)}">(.*?)</tr>', response.text, re.S).group(1)
    cells = re.findall(r'<td class="number">([^<]*)', row)
    assert cells[:3] == [str(issue.assessed), str(issue.noncompliant), f"{100 * issue.rate:.0f}%"]
    # The table is the chart: the issue's name, then its rate as a bar of that share of the cell's width
    text = Question.objects.filter(code=issue.code).latest("pk").text_in("text", "en")
    assert f'<span class="chart-name">{issue.code} {escape(text)}</span>' in row
    assert f'width="{100 * issue.rate:.1f}" height="1" fill="#1f5fa8"' in row
    # The line and column charts keep their text as SVG text (the browser draws it)
    assert response.text.count('<figure class="chart">') == 2 and "<text" in response.text
    # Earlier years can be chosen; an unknown year is refused and the latest is shown instead
    assert client.get(reverse("analytics:statistics") + "?year=2023").status_code == 200
    refused = client.get(reverse("analytics:statistics") + "?year=1990")
    assert refused.status_code == 400
    assert f"{YEAR}" in refused.text


def test_public_pages_read_only_the_aggregates_never_the_findings(industry, client):
    ref = industry.watched.ref
    client.get(reverse("analytics:statistics"))  # charts drawn and cached
    for path in (
        reverse("analytics:statistics"),
        reverse("factories:directory"),
        reverse("factories:detail", args=[ref]),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "assessments_finding" not in sql, path
        assert '"snapshot"' not in sql, path  # the report revisions' frozen JSON
        assert len(queries) <= 25, (path, len(queries))


def test_directory_searches_filters_and_pages(industry, client, content):
    province = Province.objects.exclude(code="KH-12").first()
    Factory.objects.bulk_create(
        Factory(ref=f"BULK-{number:03}", name_en=f"Bulk Garment {number:03}", sector="footwear", province=province)
        for number in range(60)
    )
    directory = reverse("factories:directory")
    everything = client.get(directory)
    assert everything.status_code == 200
    assert 'rel="next"' in everything.text
    second = client.get(directory + "?sector=footwear&page=2")
    assert "Bulk Garment 050" in second.text and 'rel="prev"' in second.text
    assert "sector=footwear&amp;page=1" in second.text  # the filters stay on the page links

    found = client.get(directory + "?q=Bulk+Garment+007")
    assert "Bulk Garment 007" in found.text and "Bulk Garment 008" not in found.text
    in_province = client.get(directory + f"?province={province.pk}&sector=footwear")
    assert (
        in_province.context["page"].paginator.count
        == Factory.objects.filter(province=province, sector="footwear").exclude(status=Factory.Status.CLOSED).count()
    )

    never = client.get(directory + "?band=not_assessed")
    never_refs = {factory.ref for factory in never.context["page"].paginator.object_list}
    assert "BULK-000" in never_refs and industry.watched.ref not in never_refs
    assessed_refs = set(VisitResult.objects.values_list("factory__ref", flat=True))
    for band, _label in never.context["form"].fields["band"].choices[1:]:
        response = client.get(directory + f"?band={band}")
        assert response.status_code == 200, band
        refs = {factory.ref for factory in response.context["page"].paginator.object_list}
        assert refs <= (assessed_refs if band != "not_assessed" else refs), band
    assert client.get(directory + "?band=nonsense").status_code == 400


def test_factory_page_shows_its_public_summary_and_links_the_latest_public_summary_report(industry, client):
    factory = industry.watched
    latest = VisitResult.objects.filter(factory=factory).order_by("-visit_end").first()
    number = latest.assessment.revisions.order_by("-number").first().number
    response = client.get(reverse("factories:detail", args=[factory.ref]))
    summary_url = reverse("reports:summary", args=[latest.assessment.ref, number])
    assert f'id="summary-report" href="{summary_url}"' in response.text
    assert f'<div class="stat" id="public-noncompliant">{latest.public_noncompliant}</div>' in response.text
    assert client.get(summary_url).status_code == 200
    # no dashboard link for the public
    assert reverse("analytics:factory_dashboard", args=[factory.ref]) not in response.text

    unassessed = Factory.objects.create(ref="NEW-1", name_en="New Factory", sector="garment", province=factory.province)
    empty = client.get(reverse("factories:detail", args=[unassessed.ref]))
    assert empty.status_code == 200 and "No assessment of this factory has been published yet." in empty.text


# Private dashboards: who may see what


def signed_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_dashboard_access_matrix(industry, client, make_user, programme):
    ref = industry.watched.ref
    factory_page = reverse("analytics:factory_dashboard", args=[ref])
    buyer_page = reverse("analytics:buyer_dashboard")
    overview = reverse("analytics:programme_dashboard")
    index = reverse("analytics:dashboards")
    expected = {
        # user: (factory dashboard, buyer view, programme overview, index); a factory outside one's
        # scope is a 404, as if it had no dashboard
        "head": (200, 403, 200, 200),
        "monitor": (200, 403, 200, 200),
        "manager": (200, 403, 403, 200),
        "other_manager": (404, 403, 403, 200),
        "buyer": (200, 200, 403, 200),
        "other_buyer": (404, 200, 403, 200),
        "partner": (404, 403, 200, 200),
        "nobody": (404, 403, 403, 403),  # signed in, no role anywhere
    }
    industry.nobody = make_user("nobody@test.example")
    for name, statuses in expected.items():
        client.logout()
        signed_in(client, getattr(industry, name))
        got = tuple(client.get(path).status_code for path in (factory_page, buyer_page, overview, index))
        assert got == statuses, name
    client.logout()
    for path in (factory_page, buyer_page, overview, index):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_a_revoked_or_expired_grant_closes_the_buyers_dashboard_at_once(industry, client):
    signed_in(client, industry.buyer)
    page = reverse("analytics:factory_dashboard", args=[industry.watched.ref])
    assert client.get(page).status_code == 200
    grant = AccessGrant.objects.get(factory=industry.watched, buyer=industry.buyer_org)
    grant.expires_at = timezone.now() - timedelta(minutes=1)
    grant.save()
    assert client.get(page).status_code == 404
    assert industry.watched.ref not in client.get(reverse("analytics:buyer_dashboard")).text


def test_the_factory_dashboard_shows_position_percentile_and_progress(industry, client):
    signed_in(client, industry.manager)
    response = client.get(reverse("analytics:factory_dashboard", args=[industry.watched.ref]))
    visits = VisitResult.objects.filter(factory=industry.watched).count()
    assert len(response.context["progress"]["visits"]) == visits >= 3
    # Each cluster's row draws the factory's score and the industry average as two bars; one line chart
    positions = re.search(r'<table class="data chart" id="positions">.*?</table>', response.text, re.S).group(0)
    clusters = response.context["clusters"]
    assert positions.count('<svg class="bars bars-2"') == len(clusters) == 8
    assert response.text.count('<figure class="chart">') == 1
    percentiles = [row["percentile"] for row in response.context["clusters"] if row["percentile"] is not None]
    assert percentiles and all(0 < value <= 1 for value in percentiles)

    never_assessed = signed_in(client, industry.head).get(
        reverse("analytics:factory_dashboard", args=[industry.other_factory.ref])
    )
    assert never_assessed.status_code == 200
    assert "This factory has no published assessment yet." in never_assessed.text


def test_partner_analysts_see_industry_figures_but_no_factory_detail(industry, client):
    signed_in(client, industry.partner)
    response = client.get(reverse("analytics:programme_dashboard"))
    assert response.status_code == 200
    assert "/statistics/dashboards/factories/" not in response.text
    assert 'id="follow"' not in response.text
    staff = signed_in(client, industry.head).get(reverse("analytics:programme_dashboard"))
    assert "Factories to follow" in staff.text


def test_the_buyers_view_lists_only_granted_factories(industry, client):
    signed_in(client, industry.buyer)
    rows = client.get(reverse("analytics:buyer_dashboard")).context["rows"]
    assert [row["factory"].ref for row in rows] == [industry.watched.ref]


# The synthesis report


def text_of(pdf, tmp_path):
    """The PDF's text without whitespace."""
    path = tmp_path / "synthesis.pdf"
    path.write_bytes(pdf)
    return squeezed(pdf_text(path))


def test_the_synthesis_report_renders_as_pdf_in_english_and_chinese(industry, client, tmp_path):
    english = client.get(reverse("analytics:synthesis_pdf", args=["en"]) + f"?year={YEAR}")
    assert english.status_code == 200 and english["Content-Type"] == "application/pdf"
    assert english.content.startswith(b"%PDF")
    text = text_of(english.content, tmp_path)
    assert f"Assessmentfindings{YEAR}" in text and "ChildLabour" in text
    factories = IndustryYear.objects.get(year=YEAR).factories_assessed
    assert f"for{factories}factories" in text

    chinese = client.get(reverse("analytics:synthesis_pdf", args=["zh-hans"]) + f"?year={YEAR}")
    assert chinese.status_code == 200
    text = text_of(chinese.content, tmp_path)
    assert "童工" in text and "职业安全与健康" in text  # cluster names in Chinese, typeset with the Chinese font

    assert client.get(reverse("analytics:synthesis_pdf", args=["fr"]) + f"?year={YEAR}").status_code == 404
    assert client.get(reverse("analytics:synthesis_pdf", args=["en"]) + "?year=1990").status_code == 404


def test_the_khmer_synthesis_pdf_names_the_clusters_of_its_charts_in_khmer_text(industry, client, tmp_path):
    response = client.get(reverse("analytics:synthesis_pdf", args=["km"]) + f"?year={YEAR}")
    path = tmp_path / "synthesis-km.pdf"
    path.write_bytes(response.content)
    khmer_font = settings.VAR_DIR / webfonts.PDF_FONTS_FOLDER / "noto-sans-khmer-regular.ttf"
    drawn = [glyph for glyph in drawn_glyphs(path, "IMS-PDF-Khmer") if glyph != space_glyph(khmer_font)]
    with translation.override("km"):
        html = render_to_string("analytics/synthesis_pdf.html", {"report": synthesis(YEAR, for_pdf=True)})
    for cluster in Cluster.objects.all():
        name = cluster.text_in("name", "km")
        # Named in the bar chart of clusters and in the legend of the trends, as text in the page...
        assert html.count(f'<span class="chart-name">{cluster.code} {name}</span>') == 2
        # ...typeset in Khmer: the PDF draws the glyphs HarfBuzz shapes the name into
        assert runs_in(drawn, shaped_glyphs(khmer_font, name, "km"))


def test_the_synthesis_web_page_names_the_clusters_and_the_changes_since_last_year(industry, client):
    response = client.get(reverse("analytics:synthesis") + f"?year={YEAR}")
    assert response.status_code == 200
    assert f"Changes since {YEAR - 1}" in response.text
    for code in ("CL", "DI", "FL", "OS"):
        assert f"<h3>{code} " in response.text
    assert reverse("analytics:synthesis_pdf", args=["km"]) + f"?year={YEAR}" in response.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_without_any_published_assessment_say_so(client, content, language):
    nothing_yet = "No assessment has been published yet."
    pages = {
        "analytics:statistics": nothing_yet,
        "analytics:synthesis": nothing_yet,
        "analytics:low_compliance": "No factory is on the low-compliance list for this year.",
        "analytics:high_performing": "No factory meets the high-performing rule for this year.",
    }
    for name, message in pages.items():
        with translation.override(language):
            path, expected = reverse(name), translation.gettext(message)
        response = client.get(path)
        assert response.status_code == 200, name
        assert expected in response.text, name
        assert 'class="data"' not in response.text, name  # no table of figures
