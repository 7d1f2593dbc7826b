from django.conf import settings
from django.core.management.base import BaseCommand

from ims.core import webfonts


class Command(BaseCommand):
    help = (
        "Build the Khmer and Chinese web fonts the pages use and the static fonts the PDF reports embed "
        "(skipped when already up to date)."
    )

    def handle(self, *args, **options):
        directory = settings.WEBFONTS_DIR
        text_sources = [
            *sorted((settings.BASE_DIR / "locale").glob("zh_Hans/LC_MESSAGES/*.po")),
            *sorted((settings.BASE_DIR / "content").rglob("*.json")),
        ]
        fonts = [
            webfonts.WebFont("noto-sans-khmer.woff2", webfonts.KHMER_SOURCE, None),
            webfonts.WebFont("noto-sans-sc.woff2", webfonts.CHINESE_SOURCE, webfonts.chinese_codepoints(text_sources)),
        ]
        for font in fonts:
            built = webfonts.build(font, directory)
            self._report(font.filename, built, directory)
        pdf_directory = settings.VAR_DIR / webfonts.PDF_FONTS_FOLDER
        for font in webfonts.PDF_FONTS:
            built = webfonts.build_pdf_font(font, pdf_directory)
            self._report(font.filename, built, pdf_directory)

    def _report(self, filename, built, directory):
        size = (directory / filename).stat().st_size
        state = "built" if built else "up to date"
        self.stdout.write(f"{filename}: {state} ({size / 1024:.0f} KiB)")
