"""Reading a product CSV: every row parsed and checked, errors named by row and column.

Rows are numbered as in a spreadsheet, the header being row 1. The columns are
store.catalog.product_csv.COLUMNS; the import (store.catalog.csv_import) plans and applies
the rows this module returns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from store.catalog.product_csv import COLUMNS, parse_options
from store.errors import ValidationFailed
from store.reports.spreadsheet import unsafe_cell

MAX_ROWS = 50_000
MAX_PRICE = Decimal("9999999999.99")
TRUE = {"1", "true", "yes", "y", "on", "active"}
FALSE = {"0", "false", "no", "n", "off", "inactive"}
# Cells the export may have neutralized against spreadsheet formulas (see product_csv).
TEXT_COLUMNS = {"sku", "product", "variant", "category", "description"}


@dataclass
class RowError:
    """What is wrong with one cell (or row) of the file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Row:
    """One valid data row of the file."""

    number: int
    sku: str
    product: str
    options: dict
    category: str
    price: Decimal
    stock: int | None
    description: str
    active: bool | None


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file must be CSV saved as UTF-8.") from None


def parse_csv(data: bytes | str) -> tuple[list[Row], list[RowError]]:
    """Read and check every row of a product CSV; returns the valid rows and all errors."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "", "The file is empty; the first row must be the header.")]
    except csv.Error as exc:
        return [], [RowError(1, "", f"Not a readable CSV file ({exc}).")]
    names = [h.strip().lower() for h in header]
    problem = _header_problem(names)
    if problem:
        return [], [RowError(1, "", problem)]
    rows, errors = _read_rows(reader, names)
    if not rows and not errors:
        errors.append(RowError(2, "", "The file has a header but no products."))
    return rows, errors


def _header_problem(names: list[str]) -> str | None:
    """What is wrong with the header row, or None when it has each column exactly once."""
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h in names if h not in COLUMNS]
    repeated = len(set(names)) != len(names)
    if not (missing or unknown or repeated):
        return None
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if unknown:
        parts.append("unknown " + ", ".join(repr(u) for u in unknown))
    if repeated:
        parts.append("a column appears twice")
    return "The header must be " + ",".join(COLUMNS) + " (" + "; ".join(parts) + ")."


def _read_rows(reader, names: list[str]) -> tuple[list[Row], list[RowError]]:
    """The data rows after the header: blank lines skipped, each SKU once."""
    index = {name: names.index(name) for name in COLUMNS}
    rows: list[Row] = []
    errors: list[RowError] = []
    seen_skus: dict[str, int] = {}
    number = 1
    try:
        for number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if number - 1 > MAX_ROWS:
                errors.append(RowError(number, "", f"Import at most {MAX_ROWS} rows at once."))
                break
            if len(raw) != len(names):
                errors.append(RowError(number, "", f"Expected {len(names)} columns, found "
                                       f"{len(raw)}."))
                continue
            row = _parse_row(number, {c: unsafe_cell(raw[index[c]]) if c in TEXT_COLUMNS
                                      else raw[index[c]] for c in COLUMNS}, errors)
            if row is None:
                continue
            if row.sku in seen_skus:
                errors.append(RowError(number, "sku", f"SKU {row.sku} is already on row "
                                       f"{seen_skus[row.sku]}."))
                continue
            seen_skus[row.sku] = number
            rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(number + 1, "", f"Not readable as CSV ({exc})."))
    return rows, errors


Fail = Callable[[str, str], None]


def _parse_row(number: int, cells: dict[str, str], errors: list[RowError]) -> Row | None:
    """One data row, or None after adding an error for each bad cell (in column order)."""
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    sku = _parse_sku(cells["sku"], fail)
    product = _parse_product(cells["product"], fail)
    options: dict = {}
    try:
        options = parse_options(cells["variant"])
    except ValidationFailed as exc:
        fail("variant", exc.message)
    category = " ".join(cells["category"].split())
    if len(category) > 120:
        fail("category", "The category has at most 120 characters.")
    price = _parse_price(cells["price"], fail)
    stock = _parse_stock(cells["stock"], fail)
    description = cells["description"].strip()
    if len(description) > 20_000:
        fail("description", "The description is too long (20,000 characters at most).")
    active = _parse_active(cells["active"], fail)
    if len(errors) > before:
        return None
    return Row(number, sku, product, options, category, price, stock, description, active)


def _parse_sku(cell: str, fail: Fail) -> str:
    sku = cell.strip()
    if not sku:
        fail("sku", "The SKU is required.")
    elif len(sku) > 64 or any(ch.isspace() for ch in sku):
        fail("sku", "A SKU has at most 64 characters and no spaces.")
    return sku


def _parse_product(cell: str, fail: Fail) -> str:
    product = " ".join(cell.split())
    if not product:
        fail("product", "The product name is required.")
    elif len(product) > 200:
        fail("product", "The product name has at most 200 characters.")
    return product


def _parse_price(cell: str, fail: Fail) -> Decimal:
    price = Decimal(0)
    raw_price = cell.strip()
    try:
        price = Decimal(raw_price)
        if not price.is_finite() or price < 0 or price > MAX_PRICE:
            raise InvalidOperation
        if price != price.quantize(Decimal("0.01")):
            fail("price", f"{raw_price!r} has more than two decimals.")
        price = price.quantize(Decimal("0.01"))
    except InvalidOperation:
        fail("price", f"{raw_price!r} is not a price (write it like 12.50)."
             if raw_price else "The price is required.")
    return price


def _parse_stock(cell: str, fail: Fail) -> int | None:
    raw_stock = cell.strip()
    if not raw_stock:
        return None
    if re.fullmatch(r"\d{1,9}", raw_stock):
        return int(raw_stock)
    fail("stock", f"{raw_stock!r} is not a whole number of 0 or more.")
    return None


def _parse_active(cell: str, fail: Fail) -> bool | None:
    raw_active = cell.strip().lower()
    if raw_active in TRUE:
        return True
    if raw_active in FALSE:
        return False
    if raw_active:
        fail("active", f"{cell.strip()!r} is not yes or no.")
    return None
