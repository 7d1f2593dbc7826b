"""The PDF files of a report revision: detailed and public summary, in each of the three languages.

The web pages and the PDF render the same document templates. The PDF embeds the static Khmer and
Chinese fonts built by `manage.py build_webfonts` (never a system font), draws the cluster chart as
SVG outlines, and prints in its footer a verification code: SHA-256 of the document's canonical content,
which the public verification page looks up. This module gathers the data and writes the HTML (it needs
the database); ims.reports.typesetting turns the HTML into PDF, the six of a revision in parallel.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ims.core import webfonts
from ims.operations.storage import STORAGE_ERRORS, DamagedFile, matches, verified_copy
from ims.reports import typesetting
from ims.reports.context import report_context
from ims.reports.documents import LANGUAGES, document_context, render_body, verification_code
from ims.reports.models import IssuedPdf, Kind, RenderedReport

logger = logging.getLogger(__name__)

KINDS = (Kind.DETAILED, Kind.SUMMARY)


@functools.cache
def stylesheet():
    """The PDF stylesheet: @font-face rules for the static fonts (file: URLs), then print.css."""
    directory = settings.VAR_DIR / webfonts.PDF_FONTS_FOLDER
    for font in webfonts.PDF_FONTS:
        if webfonts.build_pdf_font(font, directory):  # only when missing or outdated: about 20 s per CJK cut
            logger.warning("Built the PDF font %s; run `manage.py build_webfonts` when deploying.", font.filename)
    faces = "".join(
        f'@font-face {{ font-family: "{font.family}"; font-weight: {font.weight}; '
        f'src: url("{(directory / font.filename).as_uri()}"); }}\n'
        for font in webfonts.PDF_FONTS
    )
    return faces + render_to_string("reports/document/print.css")


def prepare(revision, kind, language, base=None):
    """(HTML, verification code) of one document; `base` shares report_context's answer across languages."""
    with translation.override(language):
        report = document_context(revision, kind, language, for_pdf=True, base=base)
        code = verification_code(revision, kind, language, report)
        html = render_to_string(
            "reports/document/pdf.html",
            {
                "report": report,
                "body": render_body(kind, {"report": report}),
                "code": code,
                "verification_code": _grouped(code),
                "verify_url": settings.IMS_SITE_URL + reverse("reports:verify"),
            },
        )
    return html, code


def _identifier(code):
    return code[:32].encode()


def _grouped(code):
    return " ".join(code[index : index + 8] for index in range(0, len(code), 8))


def render_document(revision, kind, language):
    """Render one document in this process and store it; returns the RenderedReport."""
    html, code = prepare(revision, kind, language)
    pdf, pages = typesetting.typeset(html, stylesheet(), _identifier(code))
    return _store(revision, kind, language, pdf, code, pages)


def render_revision(revision, progress=None):
    """The six documents of a revision, typeset in parallel; the data is gathered once per kind."""
    documents = [(kind, language) for kind in KINDS for language in LANGUAGES]
    codes = []

    def jobs():
        for kind in KINDS:
            base = report_context(revision, kind, LANGUAGES[0], for_pdf=True)
            for language in LANGUAGES:
                html, code = prepare(revision, kind, language, base=base)
                codes.append(code)
                yield html, _identifier(code)

    rendered = []
    for index, (pdf, pages) in enumerate(typesetting.typeset_many(jobs(), stylesheet())):
        kind, language = documents[index]
        rendered.append(_store(revision, kind, language, pdf, codes[index], pages))
        if progress is not None:
            progress()
    return rendered


def _store(revision, kind, language, pdf, code, pages):
    """Keep the PDF and record it as the document's file, then let go of the file it replaces.

    The new file gets a new name (its hash is part of it) and is written before the row changes: if
    the write fails (a full disk, the bucket gone), the row and the previous file stay as they were,
    and the previous PDF is still what readers get.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    assessment = revision.assessment
    existing = RenderedReport.objects.filter(revision=revision, kind=kind, language=language).first()
    if existing is not None and existing.sha256 == digest and matches(existing.file, digest):
        return existing  # the same file is already there, intact
    name = f"reports/{assessment.ref}/{assessment.ref}-r{revision.number}-{kind}-{language}-{digest[:12]}.pdf"
    stored = default_storage.save(name, ContentFile(pdf))
    now = timezone.now()
    try:
        with transaction.atomic():
            previous = RenderedReport.objects.select_for_update().filter(
                revision=revision, kind=kind, language=language
            )
            previous = previous.values_list("file", flat=True).first()
            rendered, _created = RenderedReport.objects.update_or_create(
                revision=revision,
                kind=kind,
                language=language,
                defaults={
                    "file": stored,
                    "sha256": digest,
                    "verification_code": code,
                    "pages": pages,
                    "size": len(pdf),
                    "generated_at": now,
                },
            )
            IssuedPdf.objects.get_or_create(
                sha256=digest, defaults={"rendered": rendered, "verification_code": code, "generated_at": now}
            )
            if previous and previous != stored:
                transaction.on_commit(lambda: _delete_quietly(previous))
    except BaseException:
        _delete_quietly(stored)
        raise
    return rendered


def _delete_quietly(name):
    try:
        default_storage.delete(name)
    except STORAGE_ERRORS as error:  # an orphan file is harmless; `manage.py backup` still copies it
        logger.warning("Could not delete the replaced PDF %s: %s", name, error)


def stored_document(revision, kind, language):
    """(RenderedReport, its bytes checked against the recorded hash), or None if missing or damaged."""
    rendered = RenderedReport.objects.filter(revision=revision, kind=kind, language=language).first()
    if rendered is not None:
        try:
            return rendered, verified_copy(rendered.file, rendered.sha256)
        except (DamagedFile, FileNotFoundError) as error:
            logger.error("Report PDF %s is missing or damaged (%s); rendering it again.", rendered.file.name, error)
    return None


def verified_document(revision, kind, language):
    """(RenderedReport, its bytes checked against the recorded hash); rendered now if missing or damaged."""
    stored = stored_document(revision, kind, language)
    if stored is not None:
        return stored
    rendered = render_document(revision, kind, language)
    return rendered, verified_copy(rendered.file, rendered.sha256)


def intact(revision):
    """Whether all documents of the revision are stored and match their hashes."""
    documents = list(RenderedReport.objects.filter(revision=revision))
    return len(documents) == len(KINDS) * len(LANGUAGES) and all(
        matches(document.file, document.sha256) for document in documents
    )
