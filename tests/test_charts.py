"""The charts' drawing rules: line-end labels kept apart, period labels thinned to fit, text for the web and
outlines for the PDF, and rates drawn as bars inside table cells."""

import itertools
import re
from io import StringIO

import pytest
from django.core.management import call_command
from matplotlib.text import Text

from ims.analytics import charts
from ims.analytics.synthesis import trends
from ims.core.templatetags.ims import BAR_COLOURS, bars

GAP = 13.0


def text_boxes(figure):
    """(text, window extent) of every piece of text matplotlib draws in the figure: the text alone, without
    the leader line an annotation's own extent takes in."""
    figure.draw_without_rendering()
    return [
        (text.get_text(), Text.get_window_extent(text))
        for text in figure.findobj(Text)
        if text.get_text() and text.get_visible()
    ]


def overlapping(boxes):
    """Pairs of texts whose boxes share an area (more than a hundredth of a pixel each way)."""
    return [
        (first_text, second_text)
        for (first_text, first), (second_text, second) in itertools.combinations(boxes, 2)
        if min(first.x1, second.x1) - max(first.x0, second.x0) > 0.01
        and min(first.y1, second.y1) - max(first.y0, second.y0) > 0.01
    ]


def test_labels_that_would_overlap_move_apart_as_a_block_centred_where_they_want_to_be():
    wanted = [52.0, 50.0, 51.0]  # three lines ending within two points of each other, like CO, CT and WT
    placed = charts.spread(wanted, GAP, 0, 200)
    by_height = sorted(range(3), key=lambda index: placed[index])
    assert by_height == sorted(range(3), key=lambda index: wanted[index])  # the order of the lines is kept
    heights = sorted(placed)
    assert heights[1] - heights[0] == pytest.approx(GAP) and heights[2] - heights[1] == pytest.approx(GAP)
    assert sum(placed) / 3 == pytest.approx(sum(wanted) / 3)  # centred where they wanted to be


def test_labels_already_apart_stay_where_they_are():
    assert charts.spread([10.0, 90.0, 40.0], GAP, 0, 200) == [10.0, 90.0, 40.0]


def test_labels_stay_within_the_plot_pushed_up_from_its_floor_and_down_from_its_ceiling():
    placed = charts.spread([0.0, 1.0, 199.0, 200.0], GAP, 0, 200)
    assert placed == pytest.approx([0.0, GAP, 200 - GAP, 200.0])


def test_two_groups_pushed_into_each_other_merge_into_one():
    wanted = [50.0, 50.0, 60.0, 60.0]
    placed = charts.spread(wanted, 10.0, 0, 200)
    middle = sum(wanted) / 4  # each pair spread apart would reach into the other: one block of four around 55
    assert sorted(placed) == pytest.approx([middle - 15, middle - 5, middle + 5, middle + 15])


def test_labels_too_many_for_the_room_are_spaced_evenly_across_it():
    assert charts.spread([5.0] * 5, 10.0, 0, 20) == pytest.approx([0.0, 5.0, 10.0, 15.0, 20.0])


@pytest.mark.parametrize("for_pdf", [False, True])
def test_end_labels_of_lines_ending_close_together_do_not_overlap(for_pdf):
    series = [
        ("CO", [0.70, 0.52]),
        ("CT", [0.66, 0.50]),
        ("WT", [0.61, 0.51]),
        ("CL", [0.02, 0.0]),
        ("FL", [0.0, 0.01]),
        ("OS", [0.95, 0.97]),
    ]
    figure = charts.trend_figure([2024, 2025], series, for_pdf)
    axes = figure.axes[0]
    labels = {text.get_text(): text for text in axes.texts}
    assert set(labels) == {code for code, _values in series}
    # Drawn at the heights of their points, CO and CT would overlap: what the rule has to avoid.
    label_height = Text.get_window_extent(labels["CO"]).height
    co, ct = (axes.transData.transform((1, 100 * values[-1]))[1] for _code, values in series[:2])
    assert abs(co - ct) < label_height
    assert overlapping(text_boxes(figure)) == []


@pytest.mark.django_db
def test_the_end_labels_of_the_generated_demo_trends_do_not_overlap(team, content):
    call_command("generate_demo", factories=15, years=3, end_year=2025, seed=7, stdout=StringIO())
    figures = trends()
    series = [
        (code, [point and point["rate"] for point in points]) for code, _name, points, _colour in figures["clusters"]
    ]
    assert len(series) == 8 and len(figures["years"]) == 3
    for for_pdf in (False, True):
        figure = charts.trend_figure(figures["years"], series, for_pdf)
        assert {text.get_text() for text in figure.axes[0].texts} == {code for code, _values in series}
        assert overlapping(text_boxes(figure)) == []


def test_period_labels_are_thinned_until_they_fit_the_latest_always_shown():
    visits = [f"{year}-{month:02d}" for year in (2021, 2022, 2023) for month in (1, 5, 9, 12)]
    figure = charts.trend_figure(visits, [("", [0.5 + index / 100 for index in range(12)])], for_pdf=False)
    shown = [label.get_text() for label in figure.axes[0].get_xticklabels() if label.get_text()]
    assert shown[-1] == visits[-1] and 1 < len(shown) < len(visits)
    assert overlapping(text_boxes(figure)) == []

    years = list(range(2016, 2026))
    workers = charts.columns_figure(years, [50_000 + 1_000 * index for index in range(10)], False, line=[0.8] * 10)
    assert overlapping(text_boxes(workers)) == []


def test_web_charts_keep_their_text_and_pdf_charts_draw_it_as_outlines():
    series = [("CL", [0.1, 0.2]), ("OS", [0.9, 0.8])]
    web, pdf = charts.trend_svg([2024, 2025], series, False), charts.trend_svg([2024, 2025], series, True)
    assert web.startswith('<svg aria-hidden="true"') and ">OS<" in web.replace("\n", "")
    assert "<text" not in pdf and "<path" in pdf


def test_bars_draw_each_rate_as_a_share_of_their_width_on_a_track():
    svg = bars(0.375, None)
    rects = re.findall(r'<rect y="([\d.]+)" width="([\d.]+)" height="1" fill="(#\w+)"/>', svg)
    track = rects[0][2]
    # A track for each rate, the first rate's bar over its track, no bar for the missing second rate
    assert rects == [("0", "100", track), ("0", "37.5", BAR_COLOURS[0]), ("1.4", "100", track)]
    assert 'viewBox="0 0 100 2.4"' in svg and 'preserveAspectRatio="none"' in svg
    assert "style=" not in svg  # attributes only: the Content Security Policy may refuse inline styles
