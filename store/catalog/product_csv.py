"""Product CSV format and export, in the format of DESIGN.md.

Header: `sku,product,variant,category,price,stock,description,active`, one row per variant;
rows with the same `product` form one product. `variant` holds the options,
`size=M; colour=Navy`, or is empty for a default variant. Export writes these columns, so an
exported file imports back unchanged (the import is store.catalog.csv_import). Text cells that
a spreadsheet would run as a formula get a leading apostrophe, which the import takes off
(store.reports.spreadsheet).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from store.errors import ValidationFailed
from store.extensions import db
from store.models import Product
from store.reports.spreadsheet import safe_cell

COLUMNS = ("sku", "product", "variant", "category", "price", "stock", "description", "active")
CHUNK = 500  # ids per IN (...) clause, well under every database's parameter limit


# -- the format ----------------------------------------------------------------------------

def parse_options(text: str | None) -> dict[str, str]:
    """Variant options from `size=M; colour=Navy` (or newlines, or a JSON object)."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValidationFailed("Options are not valid JSON.") from exc
        if not isinstance(data, dict):
            raise ValidationFailed("Options must be a JSON object.")
        items = [(str(k), v) for k, v in data.items()]
    else:
        items = []
        for part in re.split(r"[;\n]", text):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValidationFailed(
                    f"Write each option as name=value (got {part!r}), e.g. size=M; colour=Navy."
                )
            key, _, value = part.partition("=")
            items.append((key, value))
    options: dict[str, str] = {}
    for key, value in items:
        key = str(key).strip()
        value = "" if value is None else str(value).strip()
        if not key or not value:
            raise ValidationFailed("Every option needs a name and a value, e.g. size=M.")
        if key in options:
            raise ValidationFailed(f"The option {key!r} is given twice.")
        if len(key) > 40 or len(value) > 80:
            raise ValidationFailed("Option names and values must be short (40/80 characters).")
        options[key] = value
    return options


def format_options(options: dict | None) -> str:
    """Options as text for forms and CSV: `size=M; colour=Navy`."""
    return "; ".join(f"{k}={v}" for k, v in (options or {}).items())


def format_price(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


# -- export --------------------------------------------------------------------------------

def export_rows(product_ids: Iterable[int] | None = None) -> Iterable[list[str]]:
    """Rows (without the header) for the given products, or the whole catalog, in id order."""
    ids = None if product_ids is None else list(product_ids)
    chunks = [None] if ids is None else [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        stmt = (select(Product).options(selectinload(Product.variants),
                                        selectinload(Product.category))
                .order_by(Product.id))
        if chunk is not None:
            stmt = stmt.where(Product.id.in_(chunk))
        for product in db.session.scalars(stmt):
            for variant in product.variants:
                # Text cells only: price and stock stay numbers a spreadsheet can add up.
                yield [
                    safe_cell(variant.sku), safe_cell(product.name),
                    safe_cell(format_options(variant.options)),
                    safe_cell(product.category.slug if product.category else ""),
                    format_price(variant.price), str(variant.stock),
                    safe_cell(product.description or ""),
                    "yes" if product.active else "no",
                ]


def write_csv(out, product_ids: Iterable[int] | None = None) -> int:
    """Write the header and product rows to a text stream; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in export_rows(product_ids):
        writer.writerow(row)
        count += 1
    return count


def iter_csv(product_ids: Iterable[int] | None = None) -> Iterable[str]:
    """The export as chunks of text, for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n, row in enumerate(export_rows(product_ids), 1):
        writer.writerow(row)
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
