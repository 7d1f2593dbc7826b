"""Fonts for Khmer and Chinese, built from font packages installed from PyPI.

Web pages. Most phones and tablets have Khmer and Chinese fonts of their own, so the stylesheets (written
by `manage.py build_webfonts`) name them first with local(): only a device without them downloads ours,
and then only the glyphs the page shows:
- Khmer (`webfonts/fonts.css`, every page): static Regular and Bold instances of Noto Sans Khmer cut to
  the Khmer script, about 17 KiB each.
- Chinese (`webfonts/fonts-chinese.css`, Chinese pages and the capture screen; elsewhere a factory's
  Chinese name is drawn with the device's own Chinese font, which Android, iOS, Windows and macOS have):
  a static Regular instance of Noto Sans SC for GB 2312 plus every character our catalogs and content
  use, split into slices the way large CJK web fonts are served: each slice's `unicode-range` lists its
  characters, and the browser downloads a slice only when the page shows one of them. The characters of
  our interface come first, ranked by how many messages use them (the first slice holds what nearly every
  page shows), then those of place and factory names and the publicly reported issues (what the public
  pages show most), then the rest of the interface's, then those of our content by how many texts use
  them; the rest of GB 2312 follows in code
  point order, its everyday first level in small slices. Bold Chinese is synthesized by the browser: bold
  slices would double what a page downloads.
- The language switcher names each language in its own script: a font of just those glyphs (a few KiB,
  in fonts.css) keeps an English page from downloading a Khmer or Chinese font for two words.

PDF reports. WeasyPrint lays out static fonts far faster than variable ones, so each script gets a static
Regular and Bold instance (whole, since a monitor's note may use any character; WeasyPrint embeds only the
glyphs a document uses). The web fonts above are cut from these instances.
"""

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

KHMER_SOURCE = Path(str(files("fontpkg_noto_sans_khmer") / "files" / "NotoSansKhmer[wdth,wght].ttf"))
CHINESE_SOURCE = Path(str(files("justmytype_intl_cjk") / "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"))

# --- PDF fonts -------------------------------------------------------------------------------------------------

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


# --- web fonts ---------------------------------------------------------------------------------------------------

KHMER_RANGES = ((0x1780, 0x17FF), (0x19E0, 0x19FF), (0x200B, 0x200D), (0x25CC, 0x25CC))
CHINESE_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3100, 0x312F), (0x31C0, 0x31EF), (0x3400, 0x4DBF),
                  (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))  # fmt: skip
FIRST_SLICE = 300  # characters: the interface's most used, on nearly every Chinese page
RANKED_SLICE = 200
COMMON_SLICE = 50
RARE_SLICE = 200
# Names the platforms' own fonts go by (full and PostScript names, which local() matches):
# Noto on Android and Linux, Khmer Sangam and PingFang on Apple devices, Khmer UI and YaHei on Windows.
LOCAL_KHMER = {
    400: ("Noto Sans Khmer", "Noto Sans Khmer Regular", "NotoSansKhmer-Regular", "Noto Sans Khmer UI Regular",
          "NotoSansKhmerUI-Regular", "Khmer Sangam MN", "KhmerSangamMN", "Khmer UI", "KhmerUI", "Khmer OS System"),
    700: ("Noto Sans Khmer Bold", "NotoSansKhmer-Bold", "Noto Sans Khmer UI Bold", "NotoSansKhmerUI-Bold",
          "Khmer UI Bold", "KhmerUI-Bold"),
}  # fmt: skip
LOCAL_CHINESE = ("Noto Sans SC", "Noto Sans SC Regular", "NotoSansSC-Regular", "Noto Sans CJK SC",
                 "Noto Sans CJK SC Regular", "NotoSansCJKsc-Regular", "Source Han Sans SC Regular",
                 "SourceHanSansSC-Regular", "PingFang SC Regular", "PingFangSC-Regular", "Microsoft YaHei",
                 "MicrosoftYaHei")  # fmt: skip
STYLESHEET = "fonts.css"  # every page: the language names and Khmer
CHINESE_STYLESHEET = "fonts-chinese.css"  # Chinese pages (and the capture screen, which shows all three)


@dataclass(frozen=True)
class WebFont:
    """One woff2 file: a cut of a static font, and the @font-face rule that serves it."""

    filename: str
    source: Path
    codepoints: tuple  # sorted
    family: str
    weight: int = 400
    local_names: tuple = ()
    unicode_range: str = ""  # defaults to the code points themselves


def in_ranges(codepoint, ranges):
    return any(start <= codepoint <= end for start, end in ranges)


def gb2312_characters():
    characters = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                characters.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def rank_by_use(texts, ranges):
    """The characters of `texts` within `ranges`, those used by the most texts first (then by code point)."""
    uses = Counter()
    for text in texts:
        uses.update({ord(character) for character in text if in_ranges(ord(character), ranges)})
    return sorted(uses, key=lambda codepoint: (-uses[codepoint], codepoint))


def chinese_slices(interface_texts, public_texts, content_texts):
    """[(code points, unicode-range)], rarest first: where ranges overlap, the rule declared last wins.

    Ranked in tiers: the interface's most used characters (the first slice); then what the public pages show
    most, place and factory names and the publicly reported issues (the directory lists fifty names at once,
    whose characters are otherwise scattered through the content's ranking, a slice each); then the rest of the
    interface; then the content's."""
    interface = rank_by_use(interface_texts, CHINESE_RANGES)
    ranked = interface[:FIRST_SLICE]
    for tier in (rank_by_use(public_texts, CHINESE_RANGES), interface[FIRST_SLICE:],
                 rank_by_use(content_texts, CHINESE_RANGES)):  # fmt: skip
        known = set(ranked)
        ranked += [codepoint for codepoint in tier if codepoint not in known]
    known = set(ranked)
    common, rare = [], []
    for character in gb2312_characters():
        codepoint = ord(character)
        if in_ranges(codepoint, CHINESE_RANGES) and codepoint not in known:
            # GB 2312's second level (lead bytes 0xD8 on) holds its rarer characters.
            (rare if character.encode("gb2312")[0] >= 0xD8 else common).append(codepoint)
    slices = []
    rare.sort()
    chunks = [rare[start : start + RARE_SLICE] for start in range(0, len(rare), RARE_SLICE)]
    for index, chunk in enumerate(chunks):
        # A rare slice answers for every Chinese code point up to the next one's first, so its range stays short;
        # the slices declared after it take back their own characters inside that span.
        last = chunks[index + 1][0] - 1 if index + 1 < len(chunks) else chunk[-1]
        spans = [(max(start, chunk[0]), min(end, last)) for start, end in CHINESE_RANGES]
        slices.append((tuple(chunk), ", ".join(f"U+{a:X}-{b:X}" for a, b in spans if a <= b)))
    # Everyday characters our texts do not use (a factory's name, a note) come in small slices, so a page
    # showing a few of them downloads little.
    common.sort()
    slices += [(tuple(common[start : start + COMMON_SLICE]), None) for start in range(0, len(common), COMMON_SLICE)]
    ranked_chunks = [ranked[:FIRST_SLICE]] + [
        ranked[start : start + RANKED_SLICE] for start in range(FIRST_SLICE, len(ranked), RANKED_SLICE)
    ]
    slices += [(tuple(sorted(chunk)), None) for chunk in reversed(ranked_chunks) if chunk]
    return [(codepoints, ranges or unicode_range(codepoints)) for codepoints, ranges in slices]


def unicode_range(codepoints):
    """The shortest unicode-range listing exactly these code points: runs become U+4E00-4E03."""
    runs = []
    for codepoint in sorted(codepoints):
        if runs and runs[-1][1] == codepoint - 1:
            runs[-1][1] = codepoint
        else:
            runs.append([codepoint, codepoint])
    return ", ".join(f"U+{start:X}" if start == end else f"U+{start:X}-{end:X}" for start, end in runs)


def cmap_codepoints(path, ranges):
    return sorted(codepoint for codepoint in TTFont(str(path)).getBestCmap() if in_ranges(codepoint, ranges))


def web_fonts(pdf_directory, interface_texts, public_texts, content_texts, native_names):
    """Every web font the pages use, cut from the static PDF instances in pdf_directory."""
    khmer = {400: pdf_directory / "noto-sans-khmer-regular.ttf", 700: pdf_directory / "noto-sans-khmer-bold.ttf"}
    chinese = pdf_directory / "noto-sans-sc-regular.ttf"
    khmer_codepoints = tuple(cmap_codepoints(khmer[400], KHMER_RANGES))
    names = "".join(native_names)
    name_fonts = [
        WebFont(f"language-names-{script}.woff2", source, codepoints, "IMS Language Names", 400, local_names)
        for script, source, ranges, local_names in (
            ("khmer", khmer[400], KHMER_RANGES, LOCAL_KHMER[400]),
            ("chinese", chinese, CHINESE_RANGES, LOCAL_CHINESE),
        )
        if (codepoints := tuple(sorted({ord(c) for c in names if in_ranges(ord(c), ranges)})))
    ]
    khmer_fonts = [
        WebFont(f"noto-sans-khmer-{weight}.woff2", source, khmer_codepoints, "IMS Khmer", weight, LOCAL_KHMER[weight],
                unicode_range(cp for start, end in KHMER_RANGES for cp in range(start, end + 1)))
        for weight, source in khmer.items()
    ]  # fmt: skip
    slices = chinese_slices(interface_texts, public_texts, content_texts)
    chinese_fonts = [
        WebFont(f"noto-sans-sc-{len(slices) - 1 - index:02}.woff2", chinese, codepoints, "IMS Chinese", 400,
                LOCAL_CHINESE, ranges)
        for index, (codepoints, ranges) in enumerate(slices)
    ]  # fmt: skip
    return [*name_fonts, *khmer_fonts, *chinese_fonts]


def _fingerprint(font):
    digest = hashlib.sha256(font.source.read_bytes())
    digest.update(repr(font.codepoints).encode())
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
    options.notdef_outline = True
    loaded = subset.load_font(str(font.source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.codepoints)
    subsetter.subset(loaded)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    subset.save_font(loaded, str(partial), options)
    partial.replace(target)
    stamp.write_text(fingerprint)
    return True


def stylesheet(fonts):
    """The @font-face rules, in the order given (for overlapping Chinese ranges, the last declared wins)."""
    rules = [
        "/* Written by `manage.py build_webfonts`; see ims/core/webfonts.py. The platform's own fonts come first. */"
    ]
    for font in fonts:
        sources = [f"local({json.dumps(name)})" for name in font.local_names]
        sources.append(f'url("{font.filename}") format("woff2")')
        rules.append(
            f'@font-face {{ font-family: "{font.family}"; font-weight: {font.weight}; font-display: swap; '
            f"src: {', '.join(sources)}; unicode-range: {font.unicode_range or unicode_range(font.codepoints)}; }}"
        )
    return "\n".join(rules) + "\n"


def write_if_changed(path, text):
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return True


def remove_stale(directory, fonts):
    """Delete web fonts of earlier builds (other slices, the old whole files): collectstatic would ship them."""
    keep = {font.filename for font in fonts}
    removed = []
    for path in sorted(directory.glob("*.woff2")):
        if path.name not in keep:
            path.unlink()
            path.with_name(f"{path.name}.sha256").unlink(missing_ok=True)
            removed.append(path.name)
    return removed
