"""What every translated content file under ``content/`` shares: JSON, texts in three languages, review statuses.

Pure Python (no Django import), like the readers that use it (ims.checklists.content, ims.goodpractice.content).
"""

import json

LANGUAGES = ("en", "km", "zh-hans")
TRANSLATED_LANGUAGES = ("km", "zh-hans")
STATUSES = ("draft", "reviewed")


class ContentError(Exception):
    """Raised with every problem found, one per line, so authors fix them in one pass."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_json(path, problems):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path}: file is missing")
    except json.JSONDecodeError as error:
        problems.append(f"{path}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")
    return None


def check_translated(where, name, value, problems):
    if not isinstance(value, dict):
        problems.append(f"{where}: '{name}' must be an object with keys {', '.join(LANGUAGES)}")
        return
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        problems.append(f"{where}: '{name}' has unknown languages {sorted(unknown)}")
    for language in LANGUAGES:
        text = value.get(language)
        if text is not None and not isinstance(text, str):
            problems.append(f"{where}: '{name}.{language}' must be text")
        elif language == "en" and not (text or "").strip():
            problems.append(f"{where}: '{name}.en' (the source text) is empty")


def check_status(where, item, problems):
    status = item.get("translation_status")
    if not isinstance(status, dict):
        problems.append(f"{where}: 'translation_status' must map km and zh-hans to draft or reviewed")
        return
    for language in TRANSLATED_LANGUAGES:
        if status.get(language) not in STATUSES:
            problems.append(f"{where}: translation_status.{language} must be one of {STATUSES}")
