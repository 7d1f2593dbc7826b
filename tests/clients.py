"""How tests reach the app as its users do: addresses in a language, the REST API with a token, what a PDF
shows (its extracted text, the glyphs it draws), and the fonts the browser draws with."""

import re
import subprocess

import uharfbuzz
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream
from rest_framework.test import APIClient

from tests.factories import PASSWORD

API = "/api/v1"
CHROMIUM = "/usr/bin/chromium"  # Debian's package, never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def url(name, *args, language="en"):
    """A page's address under a language prefix."""
    with translation.override(language):
        return reverse(name, args=args)


def signed_in(user, **headers):
    """An API client carrying the user's token, obtained the way an integration does (with a recovery code when
    the account uses two-factor authentication: enrolled here with one code per token asked for)."""
    client = APIClient(**headers)
    credentials = {"email": user.email, "password": PASSWORD}
    answer = client.post(f"{API}/auth/token/", credentials, format="json")
    if answer.status_code == 400 and answer.json()["error"] == "second_factor_needed":
        credentials["code"] = recovery_code(user)
        answer = client.post(f"{API}/auth/token/", credentials, format="json")
    assert answer.status_code == 200, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


def recovery_code(user):
    """A new recovery code of the user's, enrolling the user in two-factor authentication first if need be."""
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test app"})
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery codes"})
    return device.token_set.create(token=StaticToken.random_token()).token


def put_finding(client, ref, code, answer, **fields):
    return client.put(f"{API}/assessments/{ref}/findings/{code}/", {"answer": answer, **fields}, format="json")


def step(client, ref, action, comment=""):
    return client.post(f"{API}/assessments/{ref}/transitions/", {"action": action, "comment": comment}, format="json")


def pdf_text(path):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def squeezed(text):
    """Text without whitespace: pdftotext breaks lines wherever the PDF did."""
    return re.sub(r"\s+", "", text)


def drawn_glyphs(path, font):
    """The glyph ids a PDF draws with one of its fonts (named as embedded, without the subset prefix), in
    drawing order. Text extraction cannot check Khmer: a PDF maps each glyph to one piece of text, and a
    Khmer glyph takes part in many clusters, so pdftotext gives back neither every letter nor their order.
    WeasyPrint writes glyph ids as two-byte codes (Identity-H, CIDToGIDMap Identity) and keeps the font's ids."""
    reader = PdfReader(path)
    glyphs = []
    for pdf_page in reader.pages:
        fonts = pdf_page["/Resources"]["/Font"].items()
        names = {key: font_ref.get_object()["/BaseFont"].split("+")[-1] for key, font_ref in fonts}
        current = None
        for operands, operator in ContentStream(pdf_page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = names[operands[0]]
            elif operator in (b"Tj", b"TJ") and current == font:
                for shown in operands[0] if operator == b"TJ" else operands:
                    if isinstance(shown, bytes | str):  # TJ arrays mix strings with spacing numbers
                        codes = getattr(shown, "original_bytes", shown)
                        glyphs += [int.from_bytes(codes[index : index + 2]) for index in range(0, len(codes), 2)]
    return glyphs


def runs_in(sequence, run):
    """Whether `run` appears in `sequence` as consecutive items."""
    return any(sequence[start : start + len(run)] == run for start in range(len(sequence) - len(run) + 1))


def shaped_glyphs(font_file, text, language):
    """The glyph ids HarfBuzz shapes the text into with a font file, word by word: the words' glyphs without
    the spaces between them, which a PDF may draw as a glyph or as a gap."""
    font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font_file))))
    glyphs = []
    for word in text.split():
        buffer = uharfbuzz.Buffer()
        buffer.add_str(word)
        buffer.guess_segment_properties()
        buffer.language = language
        uharfbuzz.shape(font, buffer, {})
        glyphs += [info.codepoint for info in buffer.glyph_infos]
    assert glyphs and 0 not in glyphs, f"the font cannot draw all of {text!r}"  # 0: the missing-glyph box
    return glyphs


def space_glyph(font_file):
    font = TTFont(str(font_file))
    return font.getGlyphID(font.getBestCmap()[ord(" ")])


def wait_for_fonts(page):
    """Until every web font the page asked for has loaded. Not page.wait_for_function: its polling evaluates
    the predicate as a string in the page, which the Content Security Policy (no unsafe-eval) refuses."""
    page.evaluate("document.fonts.ready.then(() => document.fonts.status)")


def rendering_fonts(page, selector):
    """The fonts Chromium actually used to draw a node's text, as reported by DevTools."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
