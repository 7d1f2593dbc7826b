"""Open data downloads open in a spreadsheet with Khmer and Chinese intact, name things, and are described by a
data dictionary in three languages."""

import csv
import io

import pytest
from django.utils import translation
from django.utils.html import escape

from ims.analytics.aggregates import rebuild_all
from ims.analytics.api import DATASETS
from ims.analytics.dictionary import DATASETS as DICTIONARY
from ims.checklists.models import Question

UTF8_BOM = b"\xef\xbb\xbf"


def download(client, dataset):
    response = client.get(f"/api/v1/public/downloads/{dataset}.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def rows_of(body):
    return list(csv.DictReader(io.StringIO(body[len(UTF8_BOM) :].decode("utf-8"))))


@pytest.fixture
def published(published_report):
    rebuild_all()
    return published_report


@pytest.mark.django_db
@pytest.mark.parametrize("dataset", ["statistics", "factories", "public-issues"])
def test_every_csv_starts_with_a_utf8_byte_order_mark_and_only_one(client, published, dataset):
    body = download(client, dataset)
    assert body.startswith(UTF8_BOM) and not body[len(UTF8_BOM) :].startswith(UTF8_BOM)
    assert body.count(UTF8_BOM) == 1


@pytest.mark.django_db
def test_the_factories_csv_keeps_khmer_and_chinese_and_names_the_province(client, published, team):
    body = download(client, "factories")
    # The bytes a spreadsheet reads: the names as UTF-8, not replaced or escaped.
    assert "រោងចក្រក្រុម".encode() in body and "团队工厂".encode() in body
    row = next(row for row in rows_of(body) if row["ref"] == team.factory.ref)
    province = team.factory.province
    assert (row["province_en"], row["province_km"], row["province_zh"]) == (
        province.name_en,
        province.name_km,
        province.name_zh_hans,
    )
    assert "KH-12" not in body.decode("utf-8-sig")
    assert row["sector"] == "Garment"
    assert row["last_visit"] == published.visit_end.isoformat()


@pytest.mark.django_db
def test_statistics_and_public_issues_name_the_codes_and_write_plain_booleans(client, published):
    statistics = rows_of(download(client, "statistics"))
    question = Question.objects.get(code="OS.8.7")
    row = next(row for row in statistics if row["code"] == "OS.8.7")
    assert (row["name_en"], row["name_km"], row["name_zh"]) == (
        question.text_en,
        question.text_km,
        question.text_zh_hans,
    )
    assert {row["publicly_reported"] for row in statistics} == {"true", "false"}

    issues = rows_of(download(client, "public-issues"))
    exits = next(row for row in issues if row["question"] == "OS.8.7" and row["assessment_ref"] == published.ref)
    assert exits["noncompliant"] == "true"  # published_report finds the exits non-compliant
    assert exits["question_km"] == question.text_km
    assert {row["noncompliant"] for row in issues} <= {"true", "false"}


def test_the_data_dictionary_describes_exactly_the_columns_each_download_writes():
    assert {dataset.slug for dataset in DICTIONARY} == set(DATASETS)
    for dataset in DICTIONARY:
        assert tuple(name for name, _meaning in dataset.columns) == DATASETS[dataset.slug][0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "km", "zh-hans"])
def test_the_data_dictionary_page_lists_every_column_in_the_readers_language(client, language):
    page = client.get(f"/{language}/statistics/open-data/").text
    for dataset in DICTIONARY:
        for name, meaning in dataset.columns:
            assert f"<code>{name}</code>" in page
            with translation.override(language):
                assert escape(str(meaning)) in page
    if language != "en":
        with translation.override("en"):
            assert str(DICTIONARY[0].description) not in page  # translated, not left in English
