"""Where the text of the detailed PDF lies on its pages: Khmer table headings wrap inside their cells."""

import re
import subprocess
from xml.etree import ElementTree

import pytest

from ims.reports.rendering import render_document

XHTML = "{http://www.w3.org/1999/xhtml}"
RIGHT_MARGIN_MM = 16  # @page margin in ims/templates/reports/document/print.css


def word_boxes(path):
    """[(page width, [(x0, y0, x1, y1, text), ...]), ...] from poppler's pdftotext -bbox."""
    output = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", output))
    pages = []
    for page in root.iter(f"{XHTML}page"):
        boxes = [
            (*(float(word.get(name)) for name in ("xMin", "yMin", "xMax", "yMax")), word.text)
            for word in page.iter(f"{XHTML}word")
        ]
        pages.append((float(page.get("width")), boxes))
    return pages


def overlapping(boxes):
    """Pairs of words drawn over each other: sharing most of a line's height and more than 2 pt of width.
    A combining mark on its own (no width) belongs to the glyph it sits on and is left out."""
    wide = [box for box in boxes if box[2] - box[0] > 0.5]
    pairs = []
    for index, first in enumerate(wide):
        for second in wide[index + 1 :]:
            shared_height = min(first[3], second[3]) - max(first[1], second[1])
            shared_width = min(first[2], second[2]) - max(first[0], second[0])
            if shared_height > 0.5 * min(first[3] - first[1], second[3] - second[1]) and shared_width > 2:
                pairs.append((first, second))
    return pairs


@pytest.mark.django_db
def test_khmer_table_headings_of_the_detailed_pdf_stay_inside_the_page_and_apart(published_report, media):
    document = render_document(published_report.current_revision(), "detailed", "km")
    pages = word_boxes(media / document.file.name)
    assert len(pages) >= 4 and sum(len(boxes) for _width, boxes in pages) > 1000
    for number, (width, boxes) in enumerate(pages, start=1):
        right_edge = width - RIGHT_MARGIN_MM / 25.4 * 72
        assert [box for box in boxes if box[2] > right_edge + 1] == [], f"text beyond the margin on page {number}"
        assert overlapping(boxes) == [], f"text drawn over other text on page {number}"
