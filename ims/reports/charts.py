"""The cluster chart: this factory against the industry average.

Only Latin cluster codes and numbers are drawn inside the SVG (WeasyPrint breaks Khmer in
SVG text); titles and legends in the reader's language sit in the HTML around it. For the PDF
the text becomes glyph outlines, for the web it stays text so the browser can render it crisply.
"""

import io

import matplotlib
from matplotlib.figure import Figure

FACTORY_COLOUR = "#1f5fa8"
INDUSTRY_COLOUR = "#b9c3d3"


def cluster_chart_svg(positions, for_pdf):
    codes = [position.cluster for position in positions]
    factory = [100 * (position.score or 0) for position in positions]
    industry = [100 * (position.industry_average or 0) for position in positions]
    with matplotlib.rc_context({"svg.fonttype": "path" if for_pdf else "none", "font.family": "DejaVu Sans",
                                "svg.hashsalt": "ims"}):  # fmt: skip
        # A bare Figure, not pyplot: no global state, so safe in a threaded web server.
        figure = Figure(figsize=(6.4, 2.8), dpi=100)
        axes = figure.subplots()
        rows = range(len(codes))
        axes.barh([row - 0.2 for row in rows], factory, height=0.38, color=FACTORY_COLOUR)
        axes.barh([row + 0.2 for row in rows], industry, height=0.38, color=INDUSTRY_COLOUR)
        axes.set_yticks(list(rows), codes)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="x", color="#e3e7ee")
        axes.set_axisbelow(True)
        figure.tight_layout()
        output = io.StringIO()
        figure.savefig(output, format="svg", metadata={"Date": None})
    svg = output.getvalue()
    return svg[svg.index("<svg") :]
