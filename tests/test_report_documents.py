"""The report documents: six PDFs per revision with embedded Khmer and Chinese fonts, the public summary
page, verification of a printed or downloaded report, access to the detailed PDF, and their generation."""

import hashlib
import re
import subprocess
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape
from fontTools.ttLib import TTFont

from ims.assessments.models import Answer, Finding, ReportRevision
from ims.assessments.workflow import transition
from ims.checklists.models import Cluster, Question
from ims.core import webfonts
from ims.reports import typesetting
from ims.reports.models import IssuedPdf, RenderedReport
from ims.reports.rendering import prepare, render_document
from ims.responses.grants import grant_access
from ims.responses.services import add_action, update_action
from tests.clients import drawn_glyphs, pdf_text, runs_in, shaped_glyphs, space_glyph, squeezed, url
from tests.factories import (
    ACTION,
    EXIT_NOTE,
    NOTED_NONCOMPLIANCES,
    OVERTIME_NOTE,
    PRIVATE_QUESTION,
    PROGRESS_NOTE,
    RULING,
    WAGE_NOTE,
    publish_visit,
)

LANGUAGES = ("en", "km", "zh-hans")


def question_text(code, language):
    return Question.objects.get(code=code).text_in("text", language)


def html_text(code, language):
    """The question as a page shows it: HTML-escaped."""
    return escape(question_text(code, language))


def embedded_fonts(path):
    """(name, embedded) for each font pdffonts lists."""
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = output.splitlines()[2:]
    return [(row.split()[0], row.split()[-5]) for row in rows]


def rendered(assessment, kind, language, number=1):
    return RenderedReport.objects.get(revision__assessment=assessment, revision__number=number, kind=kind,
                                      language=language)  # fmt: skip


# The six PDFs


@pytest.mark.django_db
def test_six_pdfs_embed_their_fonts_show_the_questions_and_keep_notes_out_of_the_summary(published_report, media):
    output = StringIO()
    call_command("render_reports", "--assessment", published_report.ref, stdout=output, stderr=StringIO())
    assert "Rendered 6 PDF(s) of 1 revision(s)." in output.getvalue()
    documents = RenderedReport.objects.filter(revision__assessment=published_report)
    assert sorted(documents.values_list("kind", "language")) == sorted(
        (kind, language) for kind in ("detailed", "summary") for language in LANGUAGES
    )
    for document in documents:
        path = media / document.file.name
        assert document.file.name.startswith("reports/") and path.read_bytes()[:5] == b"%PDF-"
        assert document.size == path.stat().st_size and document.pages >= 1
        assert len(document.verification_code) == 64 and document.sha256 != document.verification_code

    for language in LANGUAGES:
        for kind in ("detailed", "summary"):
            fonts = embedded_fonts(media / rendered(published_report, kind, language).file.name)
            # Khmer and Chinese both appear in every document (the factory's names); no system font slips in.
            assert any("Khmer" in name for name, _embedded in fonts), fonts
            assert any("Chinese" in name for name, _embedded in fonts), fonts
            assert all(name.split("+")[-1].startswith("IMS-PDF-") for name, _embedded in fonts), fonts
            assert {embedded for _name, embedded in fonts} == {"yes"}

    chinese = squeezed(pdf_text(media / rendered(published_report, "detailed", "zh-hans").file.name))
    for code in NOTED_NONCOMPLIANCES:
        assert squeezed(question_text(code, "zh-hans")) in chinese
    assert squeezed(OVERTIME_NOTE) in chinese and squeezed(WAGE_NOTE) in chinese  # notes in their own language
    assert squeezed(ACTION) in chinese and squeezed(PROGRESS_NOTE) in chinese and squeezed(RULING) in chinese
    assert rendered(published_report, "detailed", "zh-hans").verification_code[:8] in chinese  # printed in the footer

    khmer_font = settings.VAR_DIR / webfonts.PDF_FONTS_FOLDER / "noto-sans-khmer-regular.ttf"
    for language in LANGUAGES:
        path = media / rendered(published_report, "summary", language).file.name
        summary = squeezed(pdf_text(path))
        if language == "km":  # Khmer is checked glyph by glyph: text extraction cannot give it back
            drawn = [glyph for glyph in drawn_glyphs(path, "IMS-PDF-Khmer") if glyph != space_glyph(khmer_font)]
            assert runs_in(drawn, shaped_glyphs(khmer_font, question_text("OS.8.7", "km"), "km"))
        else:
            assert squeezed(question_text("OS.8.7", language)) in summary
        assert "TeamFactory" in summary and "团队工厂" in summary
        for private in (OVERTIME_NOTE, WAGE_NOTE, PROGRESS_NOTE, question_text(PRIVATE_QUESTION, "en")):
            assert squeezed(private) not in summary
        assert squeezed(RULING) in summary and squeezed(ACTION) in summary  # the factory's published response
    english_summary = squeezed(pdf_text(media / rendered(published_report, "summary", "en").file.name))
    assert squeezed(question_text("CO.2.1", "en")) in english_summary


@pytest.mark.django_db
def test_the_cluster_chart_of_the_khmer_detailed_pdf_names_each_cluster_in_khmer_text(published_report, media):
    revision = published_report.current_revision()
    html, _code = prepare(revision, "detailed", "km")
    khmer_font = settings.VAR_DIR / webfonts.PDF_FONTS_FOLDER / "noto-sans-khmer-regular.ttf"
    path = media / render_document(revision, "detailed", "km").file.name
    drawn = [glyph for glyph in drawn_glyphs(path, "IMS-PDF-Khmer") if glyph != space_glyph(khmer_font)]
    clusters = Cluster.objects.filter(version=published_report.checklist_version)
    assert clusters.count() == 8
    for cluster in clusters:
        name = cluster.text_in("name", "km")
        # The chart's row: the name as text in the page, its bars beside it...
        row = re.search(rf'<tr id="position-{cluster.code}">(.*?)</tr>', html, re.S).group(1)
        assert f"{cluster.code} · {name}</span>" in row and '<svg class="bars bars-2"' in row
        # ...typeset in Khmer: the PDF draws the glyphs HarfBuzz shapes the name into
        assert runs_in(drawn, shaped_glyphs(khmer_font, name, "km"))


@pytest.mark.django_db
def test_render_reports_renders_what_is_missing_and_rerenders_the_same_bytes(published_report, media):
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("render_reports", **quiet)  # both published revisions were missing
    assert RenderedReport.objects.count() == 12
    first = dict(RenderedReport.objects.values_list("pk", "sha256"))
    output = StringIO()
    call_command("render_reports", stdout=output, stderr=StringIO())
    assert "Rendered 0 PDF(s) of 0 revision(s)." in output.getvalue()

    call_command("render_reports", "--all", **quiet)
    assert dict(RenderedReport.objects.values_list("pk", "sha256")) == first  # same content, same file
    assert IssuedPdf.objects.count() == 12
    with pytest.raises(CommandError):
        call_command("render_reports", "--assessment", "NO-SUCH-REF", **quiet)


@pytest.mark.django_db
def test_an_updated_action_plan_gives_a_new_pdf_and_the_old_one_stays_genuine(published_report, media, client, team):
    before = render_document(published_report.current_revision(), "summary", "en")
    old_bytes = (media / before.file.name).read_bytes()
    item = published_report.findings.get(question__code="OS.8.7").action_items.get()
    update_action(item, team.manager, item.row_version, status="done")
    after = render_document(published_report.current_revision(), "summary", "en")
    assert after.pk == before.pk and after.sha256 != sha256(old_bytes)
    assert (media / after.file.name).read_bytes() != old_bytes  # the file is replaced
    assert after.verification_code != IssuedPdf.objects.get(sha256=sha256(old_bytes)).verification_code
    response = client.post(url("reports:verify"), {"document": uploaded(old_bytes)})
    assert response.context["verdict"].rendered == after and not response.context["verdict"].is_latest_rendering
    assert "Genuine IMS report" in response.text and "produced before the latest update" in response.text


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def uploaded(data, name="report.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# Verification


@pytest.mark.django_db
def test_the_verify_page_recognises_a_code_and_a_pdf_and_refuses_a_tampered_one(published_report, media, client, team):
    document = render_document(published_report.current_revision(), "detailed", "km")
    pdf = (media / document.file.name).read_bytes()
    grouped = " ".join(document.verification_code[index : index + 8].upper() for index in range(0, 64, 8))

    by_code = client.post(url("reports:verify", language="km"), {"code": grouped})
    assert by_code.status_code == 200
    page = by_code.text
    assert published_report.ref in page and "Team Factory" in page and "រោងចក្រក្រុម" in page
    assert by_code.context["verdict"].rendered == document
    assert by_code.context["verdict"].is_current_revision

    by_link = client.get(url("reports:verify"), {"code": document.verification_code})
    assert by_link.context["verdict"].rendered == document and "Genuine IMS report" in by_link.text
    assert "Khmer" in by_link.text and "Detailed report" in by_link.text and "Current revision" in by_link.text

    by_file = client.post(url("reports:verify"), {"document": uploaded(pdf)})
    assert by_file.context["verdict"].rendered == document

    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :]
    refused = client.post(url("reports:verify"), {"document": uploaded(tampered)})
    assert refused.status_code == 200 and refused.context["verdict"] is None
    assert "Not a genuine IMS report" in refused.text and "Genuine IMS report" not in refused.text
    unknown = client.post(url("reports:verify"), {"code": "0" * 64})
    assert unknown.context["verdict"] is None and "No IMS report carries this verification code" in unknown.text
    assert client.post(url("reports:verify"), {"code": ""}).status_code == 400

    # A correction publishes revision 2: the first revision's PDF is still genuine, but superseded.
    transition(published_report, "reopen", team.head, comment="Exit was open after all")
    transition(published_report, "approve", team.head)
    superseded = client.post(url("reports:verify"), {"code": document.verification_code})
    assert not superseded.context["verdict"].is_current_revision
    assert "Superseded" in superseded.text
    assert url("reports:summary", published_report.ref, 2) in superseded.text


# Access to the documents


@pytest.mark.django_db
def test_the_detailed_pdf_follows_report_visibility_and_the_summary_is_public(published_report, media, client, team):
    detailed = url("reports:detailed_pdf", published_report.ref, 1, "zh-hans")
    assert client.get(detailed).status_code == 302  # anonymous: sign in first
    for outsider in (team.other_manager, team.buyer):  # the buyer has no access grant
        client.force_login(outsider)
        assert client.get(detailed).status_code == 404
    assert not RenderedReport.objects.exists()  # nothing was rendered for them

    client.force_login(team.manager)
    response = client.get(detailed)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and sha256(body) == rendered(published_report, "detailed", "zh-hans").sha256
    assert client.get(url("reports:detailed_pdf", published_report.ref, 1, "fr")).status_code == 404
    assert client.get(url("reports:detailed_pdf", published_report.ref, 9, "en")).status_code == 404

    client.logout()
    summary = client.get(url("reports:summary_pdf", published_report.ref, 1, "km"))
    assert summary.status_code == 200 and b"".join(summary.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_the_public_summary_page_in_each_language_shows_public_issues_and_no_note(published_report, client):
    for language in LANGUAGES:
        response = client.get(url("reports:summary", published_report.ref, 1, language=language))
        assert response.status_code == 200
        page = response.text
        assert f'<html lang="{language}">' in page
        assert html_text("OS.8.7", language) in page and html_text("CO.2.1", language) in page
        assert "Team Factory" in page and "团队工厂" in page
        for private in (EXIT_NOTE, OVERTIME_NOTE, WAGE_NOTE, PROGRESS_NOTE, html_text(PRIVATE_QUESTION, language)):
            assert private not in page
        assert RULING in page and ACTION in page
        history = response.context["report"]["history"]
        assert len(history["visits"]) == 2 and len(history["issues"]) == 21  # this visit and the previous one
        assert url("reports:summary_pdf", published_report.ref, 1, language, language=language) in page
        assert url("reports:detailed_pdf", published_report.ref, 1, language, language=language) not in page
    exits = next(issue for issue in history["issues"] if issue.question.code == "OS.8.7")
    assert exits.statuses == [Answer.NON_COMPLIANT, Answer.NON_COMPLIANT]
    assert client.get(url("reports:summary", published_report.ref, 2)).status_code == 404


@pytest.mark.django_db
def test_an_unpublished_assessment_has_no_public_summary(assessment, client, team):
    transition(assessment, "start", team.monitor)
    assert client.get(url("reports:summary", assessment.ref, 1)).status_code == 404
    assert client.get(url("reports:summary_pdf", assessment.ref, 1, "en")).status_code == 404


@pytest.mark.django_db
def test_the_web_report_renders_the_detailed_document_with_progress_and_the_industry_position(
    published_report, client, team
):
    client.force_login(team.buyer)
    grant_access(team.factory, team.buyer_org, team.manager)
    response = client.get(url("reports:revision", published_report.ref, 1, language="zh-hans"))
    assert response.status_code == 200
    page = response.text
    for code in NOTED_NONCOMPLIANCES:
        assert html_text(code, "zh-hans") in page
    assert f'lang="km">{EXIT_NOTE}' in page and f'lang="zh-hans">{OVERTIME_NOTE}' in page
    report = response.context["report"]
    # The chart is the table of positions: each cluster named in Chinese above its two bars
    for row in report["clusters"]:
        cells = re.search(rf'<tr id="position-{row.cluster.code}">(.*?)</tr>', page, re.S).group(1)
        assert f"{row.cluster.code} · {row.cluster.text_in('name', 'zh-hans')}</span>" in cells
        assert '<svg class="bars bars-2"' in cells
    assert [(change, [point.code for point in points]) for change, points in report["progress_groups"]] == [
        ("remediated", ["CO.1"]), ("persistent", ["OS.8"]), ("new", ["CO.2", "WT.1"])
    ]  # fmt: skip
    assert url("reports:detailed_pdf", published_report.ref, 1, "km", language="zh-hans") in page
    assert url("reports:summary", published_report.ref, 1, language="zh-hans") in page


# Generation on publication


@pytest.mark.django_db
def test_approval_renders_the_six_documents_in_the_background(
    tasks_run_immediately, team, content, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = publish_visit(team, content, date(2026, 11, 2), NOTED_NONCOMPLIANCES)
    revision = ReportRevision.objects.get(assessment=visit)
    assert RenderedReport.objects.filter(revision=revision).count() == 6
    assert all((media / document.file.name).exists() for document in RenderedReport.objects.all())


@pytest.mark.django_db
def test_a_factory_response_renders_the_current_documents_again(
    tasks_run_immediately, team, content, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = publish_visit(team, content, date(2026, 11, 2), NOTED_NONCOMPLIANCES)
    detailed = RenderedReport.objects.get(revision__assessment=visit, kind="detailed", language="en")
    assert squeezed(ACTION) not in squeezed(pdf_text(media / detailed.file.name))
    exits = Finding.objects.get(assessment=visit, question__code="OS.8.7")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_action(exits, team.manager, ACTION, "Mr Dara", date(2026, 12, 1))
    assert len(callbacks) == 1 + 6  # one re-rendering, then each of the six replaced files let go
    detailed.refresh_from_db()
    assert squeezed(ACTION) in squeezed(pdf_text(media / detailed.file.name))
    assert IssuedPdf.objects.filter(rendered=detailed).count() == 2  # the first print still verifies
    assert RenderedReport.objects.filter(revision__assessment=visit).count() == 6


def test_typesetting_carries_on_in_this_process_when_a_worker_process_dies(monkeypatch):
    class DeadPool:
        def submit(self, *args):
            future = Future()
            future.set_exception(BrokenProcessPool("killed"))
            return future

    monkeypatch.setattr(typesetting, "worker_count", lambda: 2)
    monkeypatch.setattr(typesetting, "_executor", lambda stylesheet: DeadPool())
    jobs = [(f"<p>Page {number} 第{number}页 ទំព័រ</p>", b"0" * 32) for number in (1, 2)]
    results = list(typesetting.typeset_many(iter(jobs), "p { margin: 0 }"))
    assert [pages for _pdf, pages in results] == [1, 1]
    assert all(pdf.startswith(b"%PDF-") for pdf, _pages in results)


def test_pdf_fonts_are_static_instances_built_once(tmp_path):
    bold = next(font for font in webfonts.PDF_FONTS if font.filename == "noto-sans-khmer-bold.ttf")
    assert webfonts.build_pdf_font(bold, tmp_path) is True
    built = TTFont(str(tmp_path / bold.filename))
    assert "fvar" not in built and built["OS/2"].usWeightClass == 700
    assert built["name"].getDebugName(4) == "Noto Sans Khmer Bold"
    assert webfonts.build_pdf_font(bold, tmp_path) is False  # up to date: not cut again
    (tmp_path / f"{bold.filename}.sha256").write_text("from another source")
    assert webfonts.build_pdf_font(bold, tmp_path) is True
