"""Cells of the CSV files the shop writes, made safe to open in a spreadsheet.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
spreadsheets as a formula (CSV injection): `=HYPERLINK(...)` in a guest's name would become a
link, or worse, on a staff member's computer. `safe_cell()` puts an apostrophe in front of such
a cell, which spreadsheets show as text; `unsafe_cell()` takes it off again, so a file the shop
exports and imports back (the product CSV) keeps its values. Numbers stay numbers.
"""

from __future__ import annotations

import re
from typing import Any

# Leading apostrophes too, so a value that really starts with `'=` survives the round trip.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"''*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        return value
    return "'" + value if _FORMULA.match(value) else value


def unsafe_cell(value: str) -> str:
    """The original text of a cell written by `safe_cell()` (other text unchanged)."""
    return value[1:] if _ESCAPED.match(value) else value


def safe_row(values) -> list:
    """A CSV row with every text cell made safe."""
    return [safe_cell(value) for value in values]
