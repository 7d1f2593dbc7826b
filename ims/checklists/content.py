"""Reading and validating the content files kept under ``content/``.

Pure Python on purpose (no Django import): translators and content authors can
validate their files with ``python -m ims.checklists.content content`` before
anything touches a database, and the loader command reuses the same checks.
"""

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("en", "km", "zh-hans")
TRANSLATED_LANGUAGES = ("km", "zh-hans")
STATUSES = ("draft", "reviewed")
STANDARDS = ("national", "international")
ANSWERS = ("yes", "no")
QUESTION_CODE = re.compile(r"^(?P<cp>[A-Z]{2}\.\d+)\.\d+$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EXPECTED_PUBLIC_ISSUES = 21


class ContentError(Exception):
    """Raised with every problem found, one per line, so authors fix them in one pass."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Checklist:
    version: str
    title: dict
    translation_status: dict
    conditions: list = field(default_factory=list)
    clusters: list = field(default_factory=list)

    def questions(self):
        for cluster in self.clusters:
            for point in cluster["compliance_points"]:
                yield from point["questions"]


def _read_json(path, problems):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path}: file is missing")
    except json.JSONDecodeError as error:
        problems.append(f"{path}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")
    return None


def _check_translated(where, name, value, problems):
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


def _check_status(where, item, problems):
    status = item.get("translation_status")
    if not isinstance(status, dict):
        problems.append(f"{where}: 'translation_status' must map km and zh-hans to draft or reviewed")
        return
    for language in TRANSLATED_LANGUAGES:
        if status.get(language) not in STATUSES:
            problems.append(f"{where}: translation_status.{language} must be one of {STATUSES}")


def _check_question(where, question, point_code, condition_codes, problems):
    code = question.get("code", "")
    match = QUESTION_CODE.match(code)
    if not match or match["cp"] != point_code:
        problems.append(f"{where}: question code '{code}' must look like {point_code}.N")
    where = f"{where} {code}"
    for name in ("text", "guidance", "suggestion", "legal_basis"):
        _check_translated(where, name, question.get(name), problems)
    if question.get("standard") not in STANDARDS:
        problems.append(f"{where}: 'standard' must be one of {STANDARDS}")
    if question.get("noncompliant_answer") not in ANSWERS:
        problems.append(f"{where}: 'noncompliant_answer' must be one of {ANSWERS}")
    if not isinstance(question.get("publicly_reported"), bool):
        problems.append(f"{where}: 'publicly_reported' must be true or false")
    condition = question.get("applies_if")
    if condition is not None and condition not in condition_codes:
        problems.append(f"{where}: 'applies_if' names unknown condition '{condition}'")
    sheets = question.get("good_practice_sheets", [])
    if not isinstance(sheets, list) or not all(isinstance(s, str) and SLUG.match(s) for s in sheets):
        problems.append(f"{where}: 'good_practice_sheets' must be a list of sheet slugs")
    _check_status(where, question, problems)


def read_checklist(directory):
    """Read one checklist version directory; raise ContentError listing every problem."""
    directory = Path(directory)
    problems = []
    manifest = _read_json(directory / "manifest.json", problems)
    conditions = _read_json(directory / "conditions.json", problems)
    if manifest is None or conditions is None:
        raise ContentError(problems)

    condition_codes = set()
    for condition in conditions:
        where = f"conditions.json {condition.get('code')}"
        _check_translated(where, "label", condition.get("label"), problems)
        _check_status(where, condition, problems)
        condition_codes.add(condition.get("code"))

    checklist = Checklist(
        version=manifest.get("version", ""),
        title=manifest.get("title", {}),
        translation_status=manifest.get("translation_status", {}),
        conditions=conditions,
    )
    _check_translated("manifest.json", "title", checklist.title, problems)
    seen_codes = set()
    for cluster in manifest.get("clusters", []):
        where = f"manifest.json {cluster.get('code')}"
        _check_translated(where, "name", cluster.get("name"), problems)
        _check_status(where, cluster, problems)
        points = []
        for point_code in cluster.get("compliance_points", []):
            path = directory / "compliance_points" / f"{point_code}.json"
            point = _read_json(path, problems)
            if point is None:
                continue
            where = path.name
            if point.get("code") != point_code:
                problems.append(f"{where}: 'code' must be '{point_code}'")
            _check_translated(where, "name", point.get("name"), problems)
            _check_status(where, point, problems)
            questions = point.get("questions") or []
            if not questions:
                problems.append(f"{where}: has no questions")
            for question in questions:
                _check_question(where, question, point_code, condition_codes, problems)
                if question.get("code") in seen_codes:
                    problems.append(f"{where}: question code {question.get('code')} is used twice")
                seen_codes.add(question.get("code"))
            points.append(point)
        checklist.clusters.append({**cluster, "compliance_points": points})
    if problems:
        raise ContentError(problems)
    return checklist


def read_good_practice_sheets(directory):
    """Read every sheet file in a directory; raise ContentError listing every problem."""
    problems = []
    sheets = []
    for path in sorted(Path(directory).glob("*.json")):
        sheet = _read_json(path, problems)
        if sheet is None:
            continue
        where = path.name
        if sheet.get("slug") != path.stem or not SLUG.match(path.stem):
            problems.append(f"{where}: 'slug' must equal the file name without .json")
        for name in ("title", "summary", "body"):
            _check_translated(where, name, sheet.get(name), problems)
        _check_status(where, sheet, problems)
        sheets.append(sheet)
    if problems:
        raise ContentError(problems)
    return sheets


def cross_check(checklist, sheets):
    """Problems that need both the checklist and the sheets to see."""
    problems = []
    slugs = {sheet["slug"] for sheet in sheets}
    for question in checklist.questions():
        for slug in question.get("good_practice_sheets", []):
            if slug not in slugs:
                problems.append(f"{question['code']}: links unknown good practice sheet '{slug}'")
    public = sum(1 for question in checklist.questions() if question["publicly_reported"])
    if public != EXPECTED_PUBLIC_ISSUES:
        problems.append(f"{public} questions are publicly reported; exactly {EXPECTED_PUBLIC_ISSUES} must be")
    return problems


def main(argv):
    root = Path(argv[1] if len(argv) > 1 else "content")
    problems = []
    try:
        sheets = read_good_practice_sheets(root / "good_practice")
        print(f"good practice sheets: {len(sheets)}")
        for version_dir in sorted(p for p in (root / "checklist").iterdir() if p.is_dir()):
            checklist = read_checklist(version_dir)
            questions = list(checklist.questions())
            print(f"checklist {checklist.version}: {len(checklist.clusters)} clusters, {len(questions)} questions")
            problems += cross_check(checklist, sheets)
    except ContentError as error:
        problems += error.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
