"""Fast on a 3G phone and a tablet in a factory (issue 18): what the benchmark measures rests on these rules.

Compression, ETags and who may store what; the checklist file apart from the small package; the sync's batch
write path in a bounded number of queries, its compressed bodies and minimal replies; the web fonts' slices.
The figures themselves come from benchmarks/field.py.
"""

import gzip
import json
import re
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ims.assessments.models import Answer, Finding
from ims.assessments.workflow import save_finding, transition
from ims.capture.models import SyncConflict
from ims.capture.sync import apply_batch
from ims.checklists.models import Question
from ims.core import webfonts

API = "/api/v1/capture"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


@pytest.fixture
def started(assessment, team):
    return transition(assessment, "start", team.monitor)


def item(question, answer=Answer.COMPLIANT, note="", base_version=None, client_uuid=None):
    return {"client_uuid": str(client_uuid or uuid.uuid4()), "question": question, "answer": answer, "note": note,
            "note_language": "en", "base_version": base_version}  # fmt: skip


# --- compression, ETags, Cache-Control -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_public_page_is_compressed_stored_by_anyone_and_answers_304_when_unchanged(client, content):
    first = client.get("/en/checklists/", follow=True, HTTP_ACCEPT_ENCODING="gzip")
    page = first.redirect_chain[-1][0]
    response = client.get(page, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(response.content)
    assert len(response.content) < len(body) / 4
    assert response["Cache-Control"] == "public, no-cache"
    assert "Cookie" in response["Vary"] and not response.cookies
    assert b"csrfmiddlewaretoken" not in body
    again = client.get(page, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.django_db
def test_signed_in_pages_api_json_and_pages_with_a_form_token_are_never_stored(client, started, team):
    visitor_form = client.get("/en/reports/verify/")
    assert "csrfmiddlewaretoken" in visitor_form.text
    assert "no-store" in visitor_form["Cache-Control"]
    client.force_login(team.monitor)
    assert client.get("/en/")["Cache-Control"] == "no-store"
    package = client.get(f"{API}/assessments/{started.ref}/package/")
    assert package["Cache-Control"] == "no-store"
    # Not stored, yet a client that keeps its own copy can ask whether it changed.
    unchanged = client.get(f"{API}/assessments/{started.ref}/package/", HTTP_IF_NONE_MATCH=package["ETag"])
    assert unchanged.status_code == 304 and unchanged["Cache-Control"] == "no-store"
    token = APIClient()
    token.force_authenticate(team.monitor)
    assert token.get(f"/api/v1/assessments/{started.ref}/")["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_visitors_switch_language_with_links_to_the_same_page_and_members_with_the_form(client, content, team):
    page = client.get(f"/km/checklists/{content.code}/").text
    assert (
        f'<a href="/zh-hans/checklists/{content.code}/" hreflang="zh-hans" lang="zh-hans" class="language-name"' in page
    )
    assert 'name="language"' not in page
    client.force_login(team.monitor2)
    signed_in = client.get(f"/km/checklists/{content.code}/").text
    assert 'name="language" value="zh-hans"' in signed_in and "csrfmiddlewaretoken" in signed_in


def test_files_compressed_already_go_as_they_are_and_text_is_gzipped(rf):
    from django.http import HttpResponse

    from ims.core.compression import ResponseCompressionMiddleware

    for content_type, compressed in (("image/jpeg", False), ("application/pdf", False), ("text/csv", True)):
        middleware = ResponseCompressionMiddleware(lambda request, kind=content_type: HttpResponse(b"a" * 5000, kind))
        response = middleware(rf.get("/", HTTP_ACCEPT_ENCODING="gzip"))
        assert (response.get("Content-Encoding") == "gzip") is compressed, content_type


# --- compressed request bodies -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_gzip_body_is_unpacked_and_a_bad_or_oversized_one_refused_with_nothing_stored(started, team, settings):
    client = APIClient()
    client.force_login(team.monitor)
    url = f"{API}/assessments/{started.ref}/findings/"
    body = json.dumps({"findings": [item("CL.1.1", note="ខ្លាំង" * 50)]}).encode()
    sent = client.generic("POST", url, gzip.compress(body), content_type="application/json",
                          HTTP_CONTENT_ENCODING="gzip")  # fmt: skip
    assert sent.status_code == 200 and sent.json()["results"][0]["status"] == 201
    assert Finding.objects.get(assessment=started).note == "ខ្លាំង" * 50
    broken = client.generic("POST", url, b"\x1f\x8b not gzip", content_type="application/json",
                            HTTP_CONTENT_ENCODING="gzip")  # fmt: skip
    assert (broken.status_code, broken.json()["error"]) == (400, "invalid")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    bomb = gzip.compress(b'{"findings": [' + b" " * (3 * 1024 * 1024) + b"]}")
    assert len(bomb) < 10_000
    refused = client.generic("POST", url, bomb, content_type="application/json", HTTP_CONTENT_ENCODING="gzip")
    assert (refused.status_code, refused.json()["error"]) == (413, "too_large")
    other = client.generic("POST", url, body, content_type="application/json", HTTP_CONTENT_ENCODING="br")
    assert other.status_code == 415
    assert Finding.objects.filter(assessment=started).count() == 1


# --- the package and the checklist file ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checklist_file_is_public_immutable_and_moves_when_a_translation_is_corrected(started, team, content):
    monitor = APIClient()
    monitor.force_login(team.monitor)
    package = monitor.get(f"{API}/assessments/{started.ref}/package/")
    url = package.json()["checklist"]["url"]
    checklist = APIClient().get(url)
    assert checklist.status_code == 200
    assert checklist["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(checklist.content) > 10 * len(package.content)  # the package is the small part
    question = Question.objects.get(version=content, code="CL.1.1")
    question.text_km = question.text_km + " (កែ)"
    question.save()
    moved = monitor.get(f"{API}/assessments/{started.ref}/package/", HTTP_IF_NONE_MATCH=package["ETag"])
    assert moved.status_code == 200
    new_url = moved.json()["checklist"]["url"]
    assert new_url != url
    old = APIClient().get(url)
    assert (old.status_code, old["Location"]) == (302, new_url)
    fresh = APIClient().get(new_url).json()
    texts = [q["text"]["km"] for c in fresh["clusters"] for p in c["compliance_points"] for q in p["questions"]]
    assert question.text_km in texts


# --- sync: one request, bounded queries, minimal replies --------------------------------------------------------


def queries_for(assessment, actor, items):
    with CaptureQueriesContext(connection) as queries:
        results = apply_batch(assessment, items, actor)
    return len(queries), results


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_for_20_answers_as_for_200_with_edits_conflicts_and_mistakes(
    started, team, content
):
    by_cluster = {}
    for code, cluster in content.questions.order_by("pk").values_list("code", "compliance_point__cluster__code"):
        by_cluster.setdefault(cluster, []).append(code)
    clusters = list(by_cluster)
    for codes in by_cluster.values():  # answered before: the batches below edit them
        for code in codes:
            save_finding(started, question_code=code, answer=Answer.COMPLIANT, actor=team.monitor2)
    kept = item(by_cluster[clusters[-1]][-1])
    apply_batch(started, [kept], team.monitor)  # leaves a receipt whose identifier the batches reuse

    def mixed(edits, stale):
        """Edits from the current version in every cluster, one stale edit, one mistake, one reused identifier."""
        items = [item(code, Answer.NON_COMPLIANT, "Seen", base_version=1) for code in edits]
        items += [item(stale, Answer.NOT_ASSESSED, base_version=7), item("XX.9.9")]
        return [*items, item(kept["question"], Answer.NOT_APPLICABLE, client_uuid=kept["client_uuid"])]

    few = mixed([code for codes in by_cluster.values() for code in codes[:2]], by_cluster[clusters[0]][-1])
    many = mixed([code for codes in by_cluster.values() for code in codes[2:-1]], by_cluster[clusters[1]][-1])
    assert len(few) < 20 and len(many) > 200
    small, _results = queries_for(started, team.monitor, few)
    large, results = queries_for(started, team.monitor, many)
    assert [result.status for result in results[-3:]] == [409, 400, 409]
    assert {result.status for result in results[:-3]} == {200}
    assert small == large, "the queries must not grow with the number of answers"
    assert large <= 25
    assert SyncConflict.objects.count() == 4


@pytest.mark.django_db
def test_one_request_syncs_a_whole_checklist_and_the_minimal_reply_carries_ids_and_versions(started, team, content):
    client = APIClient()
    client.force_login(team.monitor)
    items = [item(code) for code in content.questions.values_list("code", flat=True)]
    url = f"{API}/assessments/{started.ref}/findings/"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"findings": items}, format="json", HTTP_PREFER="return=minimal")
    assert response.status_code == 200 and response["Preference-Applied"] == "return=minimal"
    results = response.json()["results"]
    assert len(results) == 274 and Finding.objects.filter(assessment=started).count() == 274
    assert results[0] == {"client_uuid": items[0]["client_uuid"], "question": items[0]["question"], "status": 201,
                          "row_version": 1}  # fmt: skip
    assert len(queries) <= 35  # the request (session, user, access) and the batch itself
    full = client.post(url, {"findings": items[:1]}, format="json").json()["results"][0]
    assert (full["outcome"], full["finding"]["answer"]) == ("duplicate", "compliant")


@pytest.mark.django_db
def test_two_submissions_for_one_question_in_a_batch_apply_in_order(started, team):
    first = item("CL.1.1", Answer.COMPLIANT)
    second = item("CL.1.1", Answer.NON_COMPLIANT, "Later", base_version=1)
    results = apply_batch(started, [first, second], team.monitor)
    assert [(r.status, r.outcome) for r in results] == [(201, "created"), (200, "updated")]
    finding = Finding.objects.get(assessment=started)
    assert (finding.answer, finding.row_version, str(finding.client_uuid)) == ("non_compliant", 2, first["client_uuid"])


def test_in_production_the_capture_modules_import_each_other_under_their_hashed_names(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_DIRS = [("capture", django_settings.BASE_DIR / "ims" / "static" / "capture")]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    production = {"BACKEND": "ims.operations.static_files.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": production}
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    app = (tmp_path / hashed["capture/app.js"]).read_text()
    imported = re.findall(r'from "\./([^"]+)"', app)
    assert len(imported) >= 10
    assert all(f"capture/{name}" in hashed.values() for name in imported)  # every import names a hashed file


# --- web fonts ---------------------------------------------------------------------------------------------------


def test_a_unicode_range_lists_exactly_its_code_points_with_runs_joined():
    assert webfonts.unicode_range([0x4E05, 0x4E00, 0x4E01, 0x4E02, 0x3001]) == "U+3001, U+4E00-4E02, U+4E05"


def test_chinese_slices_put_the_interface_first_and_hold_each_character_once():
    interface = ["语言", "语言设置", "中文"]  # 语 and 言 in three messages, 中 and 文 in one
    content = ["工厂名单", "语"]
    slices = webfonts.chinese_slices(interface, [], content)
    *_rest, first = slices  # declared last, so it wins where ranges overlap
    first_codepoints = first[0]
    for character in "语言设置中文工厂名单":
        assert ord(character) in first_codepoints
    seen = [codepoint for codepoints, _range in slices for codepoint in codepoints]
    assert len(seen) == len(set(seen))
    gb2312 = {ord(c) for c in webfonts.gb2312_characters() if webfonts.in_ranges(ord(c), webfonts.CHINESE_RANGES)}
    assert gb2312 <= set(seen)


def test_place_and_factory_names_come_right_after_the_interfaces_most_used_characters(monkeypatch):
    monkeypatch.setattr(webfonts, "FIRST_SLICE", 2)
    monkeypatch.setattr(webfonts, "RANKED_SLICE", 3)
    interface = ["语言", "语言", "设置", "中文"]  # 语言 in two messages, 设置中文 in one each
    names = ["金边制衣", "金边"]  # 金边 in two names
    content = ["工厂名单"]
    ranked = [codepoints for codepoints, _range in reversed(webfonts.chinese_slices(interface, names, content))]
    # Within a tier, the most used first, then by code point: 言 U+8A00 before 语 U+8BED, 边 U+8FB9 before
    # 金 U+91D1, 制 U+5236 before 衣 U+8863; 中 U+4E2D, 文 U+6587, 置 U+7F6E, 设 U+8BBE; 单, 厂, 名, 工.
    expected = ["言语", "边金制", "衣中文", "置设单", "厂名工"]
    assert ranked[:5] == [tuple(sorted(ord(character) for character in chunk)) for chunk in expected]


def test_the_stylesheet_names_the_platforms_fonts_before_ours(tmp_path):
    font = webfonts.WebFont("names.woff2", tmp_path / "x.ttf", (0x4E2D, 0x6587), "IMS Language Names", 400,
                            ("Noto Sans SC", "PingFang SC Regular"))  # fmt: skip
    (rule,) = webfonts.stylesheet([font]).splitlines()[1:]
    assert 'src: local("Noto Sans SC"), local("PingFang SC Regular"), url("names.woff2") format("woff2")' in rule
    assert rule.endswith("unicode-range: U+4E2D, U+6587; }")
