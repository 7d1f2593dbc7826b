"""Reading and validating the good practice sheets' files (content/good_practice/*.json), without Django."""

import re
from pathlib import Path

from ims.core.content_files import ContentError, check_status, check_translated, read_json

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def read_good_practice_sheets(directory):
    """Read every sheet file in a directory; raise ContentError listing every problem."""
    problems = []
    sheets = []
    for path in sorted(Path(directory).glob("*.json")):
        sheet = read_json(path, problems)
        if sheet is None:
            continue
        where = path.name
        if sheet.get("slug") != path.stem or not SLUG.match(path.stem):
            problems.append(f"{where}: 'slug' must equal the file name without .json")
        for name in ("title", "summary", "body"):
            check_translated(where, name, sheet.get(name), problems)
        check_status(where, sheet, problems)
        sheets.append(sheet)
    if problems:
        raise ContentError(problems)
    return sheets
