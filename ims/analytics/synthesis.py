"""What the industry statistics page and the synthesis report show, gathered from the pre-computed aggregates.

Everything here reads ims.analytics.services (which reads the aggregate tables), never findings. The
charts are cached per aggregates version: drawing one costs tens of milliseconds, reading it back none.
Call inside translation.override(language): names come in the active language.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from ims.analytics import charts, services

NOTABLE_CHANGE = 0.05  # the annual report calls rates "quite similar" within 5 points
HIGHLIGHTS_PER_CLUSTER = 2
TREND_YEARS = 10
CACHE_SECONDS = 24 * 3600
# Raised when what is cached changes its shape or drawing, so that none of an older release is shown.
CACHE_FORMAT = 2


@dataclass
class Rate:
    """One row of a statistics table: an indicator's counts and rate, with last year's rate beside it."""

    code: str
    name: str
    assessed: int
    noncompliant: int
    rate: float | None
    previous_rate: float | None = None
    cluster: str = ""
    publicly_reported: bool = False

    @property
    def change(self):
        if self.rate is None or self.previous_rate is None:
            return None
        return self.rate - self.previous_rate

    @property
    def is_notable_change(self):
        return self.change is not None and abs(self.change) >= NOTABLE_CHANGE


def cache_version():
    """Every figure here derives from the aggregates: what is cached holds until they change."""
    return f"{services.aggregates_version()}.{CACHE_FORMAT}"


def cached(name, build):
    """What `build` returns, computed once per aggregates version."""
    return cache.get_or_set(f"ims-analytics:{cache_version()}:{name}", build, timeout=CACHE_SECONDS)


def chart(name, build, for_pdf):
    """An SVG chart drawn once per aggregates version (and per year etc., in `name`)."""
    return mark_safe(cached(f"chart:{name}:{'pdf' if for_pdf else 'web'}", build))


def _rows(items, names, previous=None):
    previous = {item["code"]: item["rate"] for item in previous or ()}
    return [
        Rate(
            code=item["code"],
            name=names.get(item["code"], item["code"]),
            assessed=item["assessed"],
            noncompliant=item["noncompliant"],
            rate=item["rate"],
            previous_rate=previous.get(item["code"]),
            cluster=item.get("cluster", ""),
            publicly_reported=item.get("publicly_reported", False),
        )
        for item in items
    ]


def statistics(year):
    """The industry figures of one year against the year before (their tables are their bar charts)."""
    current = services.industry_statistics(year)
    before = services.industry_statistics(year - 1) if year - 1 in services.available_years() else None
    cluster_names = services.names_for("cluster")
    point_names = services.names_for("point")
    question_names = services.names_for("question")
    clusters = _rows(current["clusters"], cluster_names, before and before["clusters"])
    points = _rows(current["points"], point_names, before and before["points"])
    public_issues = _rows(current["public_issues"], question_names, before and before["public_issues"])
    points_by_cluster = {row.code: [] for row in clusters}
    for row in points:
        points_by_cluster.setdefault(row.cluster, []).append(row)

    return {
        "year": year,
        "previous_year": before and before["year"],
        "factories_assessed": current["factories_assessed"],
        "workers_total": current["workers_total"],
        "workers_female": current["workers_female"],
        "women_share": current["women_share"],
        "clusters": clusters,
        "points_by_cluster": [(cluster, points_by_cluster.get(cluster.code, [])) for cluster in clusters],
        "public_issues": public_issues,
    }


def trends(for_pdf=False):
    """Non-compliance per cluster over the years (aligned on the years, a gap where a year has no figure),
    and employment, with their charts and the colours that name their lines in the tables beside them."""
    years = services.available_years()[-TREND_YEARS:]
    cluster_names = services.names_for("cluster")
    by_cluster = services.trends("cluster", years=years)
    shown_years = by_cluster["years"]
    clusters = []
    for index, line in enumerate(by_cluster["series"]):
        by_year = {point["year"]: point for point in line["points"]}
        name = cluster_names.get(line["code"], line["code"])
        clusters.append((line["code"], name, [by_year.get(y) for y in shown_years], charts.series_colour(index)))
    series = [(code, [point and point["rate"] for point in points]) for code, _name, points, _colour in clusters]
    employment = services.employment(years)
    first = years[0] if years else ""
    return {
        "years": shown_years,
        "clusters": clusters,
        "clusters_chart": chart(
            f"trend-clusters:{first}", lambda: charts.trend_svg(shown_years, series, for_pdf), for_pdf
        ),
        "employment": employment,
        "employment_chart": chart(
            f"employment:{first}",
            lambda: charts.columns_svg(
                [row["year"] for row in employment],
                [row["workers_total"] for row in employment],
                for_pdf,
                line=[row["women_share"] for row in employment],
            ),
            for_pdf,
        ),
        "employment_colours": {"workers": charts.PALE, "women": charts.BAD},
    }


@dataclass
class Highlight:
    """A sentence of the synthesis: a compliance point standing out in its cluster."""

    cluster: Rate
    point: Rate


def synthesis(year, for_pdf=False):
    """The synthesis report of one year: like the annual report's "assessment findings" section.

    The statistics of the year, per cluster its compliance points with the highest non-compliance,
    the rates that moved by 5 points or more since the year before, the trends, employment, and the
    counts of low-compliance and high-performing factories.
    """
    figures = statistics(year)
    highlights = []
    for cluster, points in figures["points_by_cluster"]:
        ranked = sorted((row for row in points if row.rate), key=lambda row: row.rate, reverse=True)
        highlights.extend(Highlight(cluster, point) for point in ranked[:HIGHLIGHTS_PER_CLUSTER])
    all_points = [row for _cluster, rows in figures["points_by_cluster"] for row in rows]
    moved = [row for row in [*figures["public_issues"], *all_points] if row.is_notable_change]
    return {
        **figures,
        "highlights": highlights,
        "improved": sorted((row for row in moved if row.change < 0), key=lambda row: row.change),
        "regressed": sorted((row for row in moved if row.change > 0), key=lambda row: row.change, reverse=True),
        "trends": trends(for_pdf=for_pdf),
        "low_compliance": len(services.low_compliance_factories(year)),
        "high_performing": len(services.high_performing_factories(year)),
    }


def render_pdf(year, language):
    """The synthesis report of a year as a PDF in one language, with the reports' fonts and stylesheet.

    Typesetting takes seconds, so the file is kept in the cache until the aggregates change.
    """
    return cached(f"synthesis-pdf:{year}:{language}", lambda: _typeset(year, language))


def _typeset(year, language):
    from ims.reports import rendering, typesetting  # WeasyPrint loads only where PDFs are made

    with translation.override(language):
        report = synthesis(year, for_pdf=True)
        html = render_to_string("analytics/synthesis_pdf.html", {"report": report, "language": language})
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    pdf, _pages = typesetting.typeset(html, rendering.stylesheet(), identifier)
    return pdf
