"""Every interface string the code marks for translation is translated in km and zh_Hans."""

import shutil
from pathlib import Path

from babel.messages.pofile import read_po
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_catalogs_translate_every_marked_string(tmp_path, settings, monkeypatch):
    # Extract afresh from a copy of the sources, so the committed catalogs are compared
    # with what the code marks today, not with what they held when last written.
    shutil.copytree(ROOT / "ims", tmp_path / "ims")
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=["km", "zh_Hans"], no_obsolete=True, verbosity=0)
    problems = []
    for language in ("km", "zh_Hans"):
        with open(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                problems.append(f"{language}: {message.id!r}")
    assert problems == []
