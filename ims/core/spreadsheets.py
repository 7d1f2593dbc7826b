"""Text that a spreadsheet opens as text, never as a formula.

Spreadsheet programs run a CSV cell that starts with =, +, - or @ (or a tab or carriage return before one) as
a formula: a factory named `=HYPERLINK("http://evil", "Click")` would become a live link in every copy of the
open data. CSV cells of user text that start so get a leading apostrophe, which the programs read as "this is
text" (the OWASP advice); numbers stay numbers. In XLSX the type is stored with the cell, so text cells are
simply marked as text.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values):
    return [csv_cell(value) for value in values]


def text_cells_as_text(sheet):
    """Marks every cell that openpyxl took for a formula (a string starting with "=") as plain text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
