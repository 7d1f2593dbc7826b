"""The line and column charts of the statistics pages, dashboards and synthesis report, as SVG markup.

Rates per cluster, issue or compliance point are not drawn here: they are bars inside their data tables
(the `bars` template tag), where names in the reader's language are text like any other. These charts draw
only Latin codes, years and numbers (WeasyPrint breaks Khmer in SVG text and matplotlib cannot shape it);
the table beside each chart names its lines in the reader's language, with their colours. For the web the
text stays SVG text (the browser draws it with the page's fonts) at a size read on a 390 px phone; for the
PDF it becomes glyph outlines, so WeasyPrint needs no font for it. Bare Figures, never pyplot: no global
state, so safe in a threaded web server.
"""

import io
import math

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

PALE = "#b9c3d3"
BAD = "#a4262c"
GRID = "#e3e7ee"
# Distinct, colour-blind-safe series colours (Okabe-Ito without yellow, which fades on white).
SERIES = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000", "#8c564b")
# (width, height) in inches and the text size in points. The web's charts are drawn at a phone's width (an
# inch is 96 CSS px: 3.5 in is the 336 px of a 390 px screen's column) with 10 pt text, 13 CSS px there; the
# PDF's at the width of the page's text block, with 8.5 pt text.
WEB = (3.5, 2.5, 10)
PDF = (6.4, 2.8, 8.5)
LINE_HEIGHT = 1.3  # a label's height, in text sizes: how far apart the lines' end labels are kept
LABEL_ROOM = 0.45  # inches right of the plot for the lines' end labels
CHARACTER_WIDTH = 0.65  # in text sizes: at least DejaVu Sans's digit (0.64), so period labels never touch


def series_colour(index):
    """The colour of a chart's index-th line, also the colour of its swatch in the table naming the lines."""
    return SERIES[index % len(SERIES)]


def spread(wanted, gap, low, high):
    """Positions as near as may be to `wanted` (in any order) with neighbours at least `gap` apart, within
    [low, high]: labels that would sit on one another move apart as a block centred where they want to be
    (of the placements keeping their order, the one moving them least, in squares). Labels too many for the
    room are spaced evenly across it."""
    if len(wanted) > 1:
        gap = min(gap, (high - low) / (len(wanted) - 1))
    blocks = []  # (first position, indices in order), lowest first
    for index in sorted(range(len(wanted)), key=lambda index: wanted[index]):
        start, members = wanted[index], [index]
        while True:
            start = min(max(start, low), high - (len(members) - 1) * gap)
            if not blocks or blocks[-1][0] + len(blocks[-1][1]) * gap <= start:
                break
            members = blocks.pop()[1] + members
            start = sum(wanted[member] for member in members) / len(members) - (len(members) - 1) * gap / 2
        blocks.append((start, members))
    placed = [0.0] * len(wanted)
    for start, members in blocks:
        for rank, member in enumerate(members):
            placed[member] = start + rank * gap
    return placed


def _rc(for_pdf):
    return {"svg.fonttype": "path" if for_pdf else "none", "font.family": "DejaVu Sans", "svg.hashsalt": "ims"}


def _svg(figure, for_pdf):
    with matplotlib.rc_context(_rc(for_pdf)):
        output = io.StringIO()
        figure.savefig(output, format="svg", metadata={"Date": None})
    svg = output.getvalue()
    svg = svg[svg.index("<svg") :]
    # Screen readers read the table beside each chart; the drawing itself would only be noise to them.
    return svg if for_pdf else svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _percent_axis(set_ticks, set_limits, font, top=100):
    """0-100% (or 0-50% when every value is low, so small rates stay readable), with a little headroom."""
    ticks = [0, 25, 50, 75, 100] if top > 50 else [0, 10, 20, 30, 40, 50]
    set_limits(0, ticks[-1] * 1.04)
    set_ticks(ticks, [f"{tick}%" for tick in ticks], fontsize=font)


def _plain(axes, grid_axis):
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_axisbelow(True)
    axes.grid(axis=grid_axis, color=GRID)


def _label_periods(axes, periods, font):
    """Every period's label under the plot if they fit side by side, else every second (third...) counted
    back from the latest, so that no two touch. Call once the plot has its place in the figure."""
    labels = [str(period) for period in periods]
    left, right = axes.get_xlim()
    plot_width = axes.get_position().width * axes.get_figure().get_figwidth() * 72  # points
    widest = (max(map(len, labels), default=0) + 1) * CHARACTER_WIDTH * font  # with a character's space
    step = max(1, math.ceil(widest / (plot_width / (right - left))))
    shown = [label if (len(labels) - 1 - index) % step == 0 else "" for index, label in enumerate(labels)]
    axes.set_xticks(list(range(len(labels))), shown, fontsize=font)


def _label_line_ends(axes, ends, font):
    """Each line's code right of the plot at the height of its last point, moved apart where two would
    overlap (`spread`), with a leader line back to the point. Call once the plot has its place in the figure."""
    if not ends:
        return
    figure = axes.get_figure()
    bottom, top = axes.get_ylim()
    position = axes.get_position()
    plot_height = position.height * figure.get_figheight() * 72  # points
    plot_width = position.width * figure.get_figwidth() * 72
    wanted = [(y - bottom) / (top - bottom) * plot_height for _code, _colour, (_x, y) in ends]
    label_height = LINE_HEIGHT * font
    # Whole labels within the plot's height: none reaches down to the period labels.
    placed = spread(wanted, label_height, label_height / 2, plot_height - label_height / 2)
    leader = {"arrowstyle": "-", "linewidth": 0.7, "relpos": (0, 0.5), "shrinkA": 2, "shrinkB": 3}
    for (code, colour, point), height in zip(ends, placed, strict=True):
        axes.annotate(
            code,
            xy=point,
            xytext=(1 + font / plot_width, height),  # a text size right of the plot, at the placed height
            textcoords=("axes fraction", "axes points"),
            va="center",
            ha="left",
            fontsize=font,
            color=colour,
            annotation_clip=False,
            arrowprops={**leader, "color": colour},
        )


def trend_figure(periods, series, for_pdf, percent=True):
    """Lines over periods (years or visit dates as short Latin labels), as a matplotlib Figure.

    `series`: [(code, [value or None per period])]; values are rates in [0, 1] when `percent`. Each line's
    code labels its last point (an empty code, none), so no legend box is needed; the table beside the chart
    names the lines, with `series_colour(index)` swatches.
    """
    width, height, font = PDF if for_pdf else WEB
    scale = 100 if percent else 1
    codes = [code for code, values in series if code and any(value is not None for value in values)]
    # Tall enough for every end label to keep its own line (plus the axes' margins).
    height = max(height, len(codes) * LINE_HEIGHT * font / 72 + 0.9)
    with matplotlib.rc_context(_rc(for_pdf)):
        figure = Figure(figsize=(width, height), dpi=100)
        axes = figure.subplots()
        positions = list(range(len(periods)))
        ends, highest = [], 0.0
        for index, (code, values) in enumerate(series):
            known = [(x, scale * value) for x, value in zip(positions, values, strict=True) if value is not None]
            if not known:
                continue
            # NaN where a period has no figure: the line breaks there instead of bridging the gap.
            ys = [math.nan if value is None else scale * value for value in values]
            highest = max(highest, *(y for _x, y in known))
            axes.plot(positions, ys, marker="o", markersize=4, linewidth=1.8, color=series_colour(index))
            if code:
                ends.append((code, series_colour(index), known[-1]))
        axes.set_xlim(-0.3, max(len(periods) - 1, 1) + 0.3)
        if percent:
            _percent_axis(axes.set_yticks, axes.set_ylim, font, top=100 if highest > 45 else 50)
        else:
            axes.set_ylim(0, highest * 1.15 or 1)
            axes.tick_params(axis="y", labelsize=font)
        axes.set_xticks(positions, [str(period) for period in periods], fontsize=font)
        _plain(axes, "y")
        figure.tight_layout(rect=(0, 0, 1 - LABEL_ROOM / width if ends else 1, 1))
        _label_periods(axes, periods, font)
        _label_line_ends(axes, ends, font)
    return figure


def trend_svg(periods, series, for_pdf, percent=True):
    """`trend_figure` as SVG markup."""
    return _svg(trend_figure(periods, series, for_pdf, percent), for_pdf)


def columns_figure(periods, values, for_pdf, line=None):
    """Columns per period (e.g. workers per year) with an optional rate line on a second axis (share of women)."""
    width, height, font = PDF if for_pdf else WEB
    with matplotlib.rc_context(_rc(for_pdf)):
        figure = Figure(figsize=(width, height), dpi=100)
        axes = figure.subplots()
        positions = list(range(len(periods)))
        axes.bar(positions, [value or 0 for value in values], width=0.6, color=PALE)
        axes.set_xticks(positions, [str(period) for period in periods], fontsize=font)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        axes.tick_params(axis="y", labelsize=font)
        _plain(axes, "y")
        if line is not None:
            rates = axes.twinx()
            points = [(x, 100 * rate) for x, rate in zip(positions, line, strict=True) if rate is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                rates.plot(xs, ys, marker="o", markersize=4, linewidth=1.8, color=BAD)
            _percent_axis(rates.set_yticks, rates.set_ylim, font)
            rates.spines[["top"]].set_visible(False)
        figure.tight_layout()
        _label_periods(axes, periods, font)
    return figure


def columns_svg(periods, values, for_pdf, line=None):
    """`columns_figure` as SVG markup."""
    return _svg(columns_figure(periods, values, for_pdf, line), for_pdf)
