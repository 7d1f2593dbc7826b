"""Coverage of the interface's gettext catalogs under locale/."""

from dataclasses import dataclass

from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

from ims.core.i18n import TARGET_LANGUAGES


@dataclass
class CatalogCoverage:
    language: str
    path: str
    messages: int
    translated: int
    fuzzy: int


def catalog_coverage():
    rows = []
    for language in TARGET_LANGUAGES:
        for path in sorted(settings.LOCALE_PATHS[0].glob(f"{to_locale(language)}/LC_MESSAGES/*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle)
            messages = [message for message in catalog if message.id]
            translated = [
                m for m in messages if not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
            ]
            rows.append(
                CatalogCoverage(
                    language=language,
                    path=str(path.relative_to(settings.BASE_DIR)),
                    messages=len(messages),
                    translated=len(translated),
                    fuzzy=sum(1 for m in messages if m.fuzzy),
                )
            )
    return rows
