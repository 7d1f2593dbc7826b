import csv
import json

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand

from ims.core import webfonts
from ims.core.i18n import NATIVE_NAMES


def interface_texts():
    """Every Chinese message of the interface catalogs."""
    texts = []
    for path in sorted((settings.BASE_DIR / "locale").glob("zh_Hans/LC_MESSAGES/*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    texts += message.string if isinstance(message.string, tuple) else [message.string]
    return texts


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# Content whose texts are names: places, and the factory registers the demo and a programme load.
NAME_FILES = ("geography/*.json", "**/*.csv")


def _texts_of(path):
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [cell for row in csv.reader(handle) for cell in row]
    return list(_strings(json.loads(path.read_text("utf-8"))))


def _name_files(content):
    return {path for pattern in NAME_FILES for path in content.glob(pattern)}


def public_texts():
    """What the public pages show most, in every language: the names of places and factories, and the texts of
    the publicly reported issues (on every factory page, report summary and statistics page)."""
    content = settings.BASE_DIR / "content"
    texts = [text for path in sorted(_name_files(content)) for text in _texts_of(path)]
    for path in sorted(content.glob("checklist/*/compliance_points/*.json")):
        for question in json.loads(path.read_text("utf-8"))["questions"]:
            if question.get("publicly_reported"):
                texts += list(_strings(question["text"]))
    return texts


def content_texts():
    """Every text of the content files but the names (checklist, sheets, training), in every language."""
    content = settings.BASE_DIR / "content"
    names = _name_files(content)
    return [text for path in sorted(content.rglob("*.json")) if path not in names for text in _texts_of(path)]


class Command(BaseCommand):
    help = (
        "Build the static fonts the PDF reports embed, then the Khmer and Chinese web fonts cut from them and "
        "their stylesheet (each skipped when already up to date)."
    )

    def handle(self, *args, **options):
        pdf_directory = settings.VAR_DIR / webfonts.PDF_FONTS_FOLDER
        for font in webfonts.PDF_FONTS:
            built = webfonts.build_pdf_font(font, pdf_directory)
            size = (pdf_directory / font.filename).stat().st_size
            self.stdout.write(f"{font.filename}: {'built' if built else 'up to date'} ({size / 1024:.0f} KiB)")
        directory = settings.WEBFONTS_DIR
        fonts = webfonts.web_fonts(
            pdf_directory, interface_texts(), public_texts(), content_texts(), NATIVE_NAMES.values()
        )
        built = {font.filename for font in fonts if webfonts.build(font, directory)}
        for family in dict.fromkeys(font.family for font in fonts):
            files = [font.filename for font in fonts if font.family == family]
            size = sum((directory / name).stat().st_size for name in files)
            new = sum(1 for name in files if name in built)
            self.stdout.write(f"{family}: {len(files)} files, {size / 1024:.0f} KiB, {new} built")
        for name in webfonts.remove_stale(directory, fonts):
            self.stdout.write(f"{name}: removed (no longer built)")
        chinese = [font for font in fonts if font.family == "IMS Chinese"]
        everywhere = [font for font in fonts if font not in chinese]
        for name, included in ((webfonts.STYLESHEET, everywhere), (webfonts.CHINESE_STYLESHEET, chinese)):
            if webfonts.write_if_changed(directory / name, webfonts.stylesheet(included)):
                self.stdout.write(f"{name}: written")
