"""Web fonts for Khmer and Chinese, built from font packages installed from PyPI.

A tablet without Khmer or Chinese fonts must still render every page, so the app
serves its own. The Khmer font is small and served whole; the Chinese font is cut
to the GB 2312 character set (which covers everyday Simplified Chinese) plus every
character our catalogs and content use, which brings 17 MB down to about 2 MB.
Both stay variable fonts so one file serves regular and bold.

The PDF reports need other cuts of the same fonts: WeasyPrint lays out static fonts far
faster than variable ones, so each gets a static Regular and Bold instance (whole, since a
monitor's note may use any character; WeasyPrint embeds only the glyphs a document uses).
"""

import hashlib
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

KHMER_SOURCE = Path(str(files("fontpkg_noto_sans_khmer") / "files" / "NotoSansKhmer[wdth,wght].ttf"))
CHINESE_SOURCE = Path(str(files("justmytype_intl_cjk") / "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"))
BASIC_LATIN = range(0x20, 0x7F)
CJK_PUNCTUATION = range(0x3000, 0x3040)
FULL_WIDTH_FORMS = range(0xFF00, 0xFFF0)


@dataclass(frozen=True)
class WebFont:
    filename: str
    source: Path
    codepoints: frozenset | None  # None keeps every glyph


def gb2312_characters():
    characters = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                characters.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def characters_used_in(paths):
    characters = set()
    for path in paths:
        characters.update(path.read_text(encoding="utf-8"))
    return characters


def chinese_codepoints(text_sources):
    characters = gb2312_characters() | characters_used_in(text_sources)
    codepoints = {ord(character) for character in characters}
    codepoints.update(BASIC_LATIN, CJK_PUNCTUATION, FULL_WIDTH_FORMS)
    return frozenset(codepoints)


def _fingerprint(font):
    digest = hashlib.sha256(font.source.read_bytes())
    digest.update(repr(sorted(font.codepoints or ())).encode())
    return digest.hexdigest()


def build(font, directory):
    """Write one woff2 file unless an identical build is already there; return True if built."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / font.filename
    stamp = directory / f"{font.filename}.sha256"
    fingerprint = _fingerprint(font)
    if target.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    loaded = subset.load_font(str(font.source), options)
    subsetter = subset.Subsetter(options)
    if font.codepoints is None:
        subsetter.populate(unicodes=loaded.getBestCmap().keys())
    else:
        subsetter.populate(unicodes=font.codepoints)
    subsetter.subset(loaded)
    partial = target.with_suffix(".partial")
    subset.save_font(loaded, str(partial), options)
    partial.replace(target)
    stamp.write_text(fingerprint)
    return True


PDF_FONTS_FOLDER = "pdffonts"  # under settings.VAR_DIR
# Bump when the way PDF fonts are cut changes, so existing builds are redone.
PDF_FONT_FORMAT = "1"


@dataclass(frozen=True)
class PdfFont:
    filename: str
    source: Path
    axes: tuple  # ((axis tag, value), ...) pinning every axis of the variable source
    family: str  # the CSS family the PDF stylesheet declares
    weight: int


PDF_FONTS = (
    PdfFont("noto-sans-khmer-regular.ttf", KHMER_SOURCE, (("wght", 400), ("wdth", 100)), "IMS PDF Khmer", 400),
    PdfFont("noto-sans-khmer-bold.ttf", KHMER_SOURCE, (("wght", 700), ("wdth", 100)), "IMS PDF Khmer", 700),
    PdfFont("noto-sans-sc-regular.ttf", CHINESE_SOURCE, (("wght", 400),), "IMS PDF Chinese", 400),
    PdfFont("noto-sans-sc-bold.ttf", CHINESE_SOURCE, (("wght", 700),), "IMS PDF Chinese", 700),
)


def _pdf_fingerprint(font):
    digest = hashlib.sha256(font.source.read_bytes())
    digest.update(repr((PDF_FONT_FORMAT, font.axes)).encode())
    return digest.hexdigest()


def pdf_font_is_current(font, directory):
    stamp = directory / f"{font.filename}.sha256"
    return (directory / font.filename).exists() and stamp.exists() and stamp.read_text() == _pdf_fingerprint(font)


def build_pdf_font(font, directory):
    """Write one static TTF instance unless an identical build is already there; return True if built."""
    directory.mkdir(parents=True, exist_ok=True)
    if pdf_font_is_current(font, directory):
        return False
    target = directory / font.filename
    variable = TTFont(str(font.source))
    static = instancer.instantiateVariableFont(variable, dict(font.axes), updateFontNames=True)
    # A unique partial name: two processes building at once must not write into one file.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    static.save(str(partial))
    partial.replace(target)
    (directory / f"{font.filename}.sha256").write_text(_pdf_fingerprint(font))
    return True
