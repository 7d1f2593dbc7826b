"""Reading and validating the content files kept under ``content/``.

Pure Python on purpose (no Django import; the checks every file shares are in ims.core.content_files):
translators and content authors can validate their files with ``python -m ims.checklists.content content`` before
anything touches a database, and the loader command reuses the same checks.
"""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ims.core.content_files import (
    ContentError,
    check_status,
    check_translated,
    read_json,
)
from ims.goodpractice.content import SLUG, read_good_practice_sheets

STANDARDS = ("national", "international")
ANSWERS = ("yes", "no")
QUESTION_CODE = re.compile(r"^(?P<cp>[A-Z]{2}\.\d+)\.\d+$")
EXPECTED_PUBLIC_ISSUES = 21


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


def _check_question(where, question, point_code, condition_codes, problems):
    code = question.get("code", "")
    match = QUESTION_CODE.match(code)
    if not match or match["cp"] != point_code:
        problems.append(f"{where}: question code '{code}' must look like {point_code}.N")
    where = f"{where} {code}"
    for name in ("text", "guidance", "suggestion", "legal_basis"):
        check_translated(where, name, question.get(name), problems)
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
    check_status(where, question, problems)


def read_checklist(directory):
    """Read one checklist version directory; raise ContentError listing every problem."""
    directory = Path(directory)
    problems = []
    manifest = read_json(directory / "manifest.json", problems)
    conditions = read_json(directory / "conditions.json", problems)
    if manifest is None or conditions is None:
        raise ContentError(problems)

    condition_codes = set()
    for condition in conditions:
        where = f"conditions.json {condition.get('code')}"
        check_translated(where, "label", condition.get("label"), problems)
        check_status(where, condition, problems)
        condition_codes.add(condition.get("code"))

    checklist = Checklist(
        version=manifest.get("version", ""),
        title=manifest.get("title", {}),
        translation_status=manifest.get("translation_status", {}),
        conditions=conditions,
    )
    check_translated("manifest.json", "title", checklist.title, problems)
    seen_codes = set()
    for cluster in manifest.get("clusters", []):
        where = f"manifest.json {cluster.get('code')}"
        check_translated(where, "name", cluster.get("name"), problems)
        check_status(where, cluster, problems)
        points = []
        for point_code in cluster.get("compliance_points", []):
            path = directory / "compliance_points" / f"{point_code}.json"
            point = read_json(path, problems)
            if point is None:
                continue
            where = path.name
            if point.get("code") != point_code:
                problems.append(f"{where}: 'code' must be '{point_code}'")
            check_translated(where, "name", point.get("name"), problems)
            check_status(where, point, problems)
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
