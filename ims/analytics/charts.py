"""Charts of the statistics pages, dashboards and synthesis report, as SVG markup.

As in ims.reports.charts: only Latin codes, years and numbers are drawn inside the SVG; names in
the reader's language sit in the accessible table beside each chart. For the web the text stays
SVG text elements (the browser renders it with the page's fonts); for the PDF it becomes glyph
outlines, so WeasyPrint needs no font for it. Bare Figures, never pyplot: no global state, so
safe in a threaded web server.
"""

import io
import math

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

ACCENT = "#1f5fa8"
PALE = "#b9c3d3"
BAD = "#a4262c"
GRID = "#e3e7ee"
# Distinct, colour-blind-safe series colours (Okabe-Ito without yellow, which fades on white).
SERIES = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000", "#8c564b")
WIDTH = 6.4  # inches: the width of the main column at 100 dpi
BAR_HEIGHT = 0.24  # inches per bar row


def _render(draw, height, for_pdf):
    rc = {"svg.fonttype": "path" if for_pdf else "none", "font.family": "DejaVu Sans", "svg.hashsalt": "ims"}
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(WIDTH, height), dpi=100)
        axes = figure.subplots()
        draw(axes)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_axisbelow(True)
        figure.tight_layout()
        output = io.StringIO()
        figure.savefig(output, format="svg", metadata={"Date": None})
    svg = output.getvalue()
    svg = svg[svg.index("<svg") :]
    # Screen readers read the table beside each chart; the drawing itself would only be noise to them.
    return svg if for_pdf else svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _percent_axis(set_ticks, set_limits, top=100):
    """0-100% (or 0-50% when every value is low, so small rates stay readable), with a little headroom."""
    ticks = [0, 25, 50, 75, 100] if top > 50 else [0, 10, 20, 30, 40, 50]
    set_limits(0, ticks[-1] * 1.04)
    set_ticks(ticks, [f"{tick}%" for tick in ticks], fontsize=8)


def rate_bars_svg(labels, rates, for_pdf, highlight=None):
    """Horizontal bars of rates in [0, 1] (None drawn as nothing), one row per label, first at the top.

    `highlight`: labels drawn in the warning colour (e.g. publicly reported issues).
    """
    highlight = set(highlight or ())
    values = [100 * (rate or 0) for rate in rates]
    top = max(values, default=0)

    def draw(axes):
        rows = range(len(labels))
        colours = [BAD if label in highlight else ACCENT for label in labels]
        axes.barh(list(rows), values, height=0.7, color=colours)
        axes.set_yticks(list(rows), labels, fontsize=8)
        axes.invert_yaxis()
        _percent_axis(axes.set_xticks, axes.set_xlim, top=100 if top > 45 else 50)
        axes.grid(axis="x", color=GRID)
        for row, value, rate in zip(rows, values, rates, strict=True):
            if rate is not None:
                axes.text(value + 0.8, row, f"{value:.0f}%", va="center", fontsize=7, color="#5b6477")

    return _render(draw, 0.6 + BAR_HEIGHT * max(len(labels), 3), for_pdf)


def paired_bars_svg(labels, first, second, for_pdf):
    """Two bars per label (e.g. a factory against the industry average), rates in [0, 1]."""
    first_values = [100 * (value or 0) for value in first]
    second_values = [100 * (value or 0) for value in second]

    def draw(axes):
        rows = range(len(labels))
        axes.barh([row - 0.2 for row in rows], first_values, height=0.38, color=ACCENT)
        axes.barh([row + 0.2 for row in rows], second_values, height=0.38, color=PALE)
        axes.set_yticks(list(rows), labels, fontsize=8)
        axes.invert_yaxis()
        _percent_axis(axes.set_xticks, axes.set_xlim)
        axes.grid(axis="x", color=GRID)

    return _render(draw, 0.6 + 1.4 * BAR_HEIGHT * max(len(labels), 2), for_pdf)


def trend_svg(periods, series, for_pdf, percent=True):
    """Lines over periods (years or visit dates as short Latin labels).

    `series`: [(code, [value or None per period])]; values are rates in [0, 1] when `percent`.
    Each line is labelled with its code at its last point, so no legend box is needed.
    """
    scale = 100 if percent else 1

    def draw(axes):
        positions = list(range(len(periods)))
        highest = 0
        for index, (code, values) in enumerate(series):
            known = [(x, scale * value) for x, value in zip(positions, values, strict=True) if value is not None]
            if not known:
                continue
            colour = SERIES[index % len(SERIES)]
            # NaN where a period has no figure: the line breaks there instead of bridging the gap.
            ys = [math.nan if value is None else scale * value for value in values]
            highest = max(highest, *(y for _x, y in known))
            axes.plot(positions, ys, marker="o", markersize=3.5, linewidth=1.6, color=colour)
            axes.annotate(code, known[-1], xytext=(5, 0), textcoords="offset points", va="center",
                          fontsize=7, color=colour)  # fmt: skip
        axes.set_xticks(positions, [str(period) for period in periods], fontsize=8)
        axes.set_xlim(-0.3, max(len(periods) - 1, 1) + 0.6)
        if percent:
            _percent_axis(axes.set_yticks, axes.set_ylim, top=100 if highest > 45 else 50)
        else:
            axes.set_ylim(0, highest * 1.15 or 1)
        axes.grid(axis="y", color=GRID)

    return _render(draw, 2.6, for_pdf)


def columns_svg(periods, values, for_pdf, line=None):
    """Columns per period (e.g. workers per year) with an optional rate line on a second axis (share of women)."""

    def draw(axes):
        positions = list(range(len(periods)))
        axes.bar(positions, [value or 0 for value in values], width=0.6, color=PALE)
        axes.set_xticks(positions, [str(period) for period in periods], fontsize=8)
        axes.grid(axis="y", color=GRID)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        axes.tick_params(axis="y", labelsize=8)
        if line is not None:
            rates = axes.twinx()
            points = [(x, 100 * rate) for x, rate in zip(positions, line, strict=True) if rate is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                rates.plot(xs, ys, marker="o", markersize=3.5, linewidth=1.6, color=BAD)
            _percent_axis(rates.set_yticks, rates.set_ylim)
            rates.spines[["top"]].set_visible(False)

    return _render(draw, 2.4, for_pdf)
