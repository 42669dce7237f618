"""Product CSV import and export, in the format of DESIGN.md.

Header: `sku,product,variant,category,price,stock,description,active`, one row per variant;
rows with the same `product` form one product. Import creates or updates by `sku`:

* every row is parsed and checked first; any error (named by spreadsheet row, the header
  being row 1, and column) rejects the whole file and nothing changes;
* product-level fields come from the rows: `category` (slug or name; a new one is created),
  `description` (Markdown or a little HTML, sanitized), `active` (yes/no, empty keeps the
  current value), and `price`: the product's price is its first row's, and a row with another
  price gets it as that variant's price override;
* `variant` holds the options, `size=M; colour=Navy`, or is empty for a default variant;
* `stock` sets the count on hand (empty keeps it); each change is a stock movement with
  reason `import`;
* the whole import is one write transaction and is written to the audit log.

Export writes the same columns, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from store.audit import services as audit
from store.catalog.html import sanitize_description
from store.database import write_transaction
from store.errors import ValidationFailed
from store.extensions import db
from store.inventory import services as inventory
from store.models import Category, Product, Variant

COLUMNS = ("sku", "product", "variant", "category", "price", "stock", "description", "active")
MAX_ROWS = 50_000
MAX_PRICE = Decimal("9999999999.99")
TRUE = {"1", "true", "yes", "y", "on", "active"}
FALSE = {"0", "false", "no", "n", "off", "inactive"}
_CHUNK = 500


# -- small helpers shared with the back office ---------------------------------------------

def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: lowercase ASCII words joined by hyphens ("Café Noir" -> "cafe-noir")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


def unique_slug(model, text: str, *, exclude_id: int | None = None, taken=(),
                max_length: int = 80) -> str:
    """A slug for `text` not yet used by another row of `model` (adds -2, -3, ...)."""
    base = slugify(text, max_length - 6) or model.__tablename__
    candidate, n = base, 1
    while True:
        stmt = select(model.id).where(model.slug == candidate)
        if exclude_id is not None:
            stmt = stmt.where(model.id != exclude_id)
        if candidate not in taken and db.session.scalar(stmt) is None:
            return candidate
        n += 1
        candidate = f"{base}-{n}"


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
    chunks = [None] if ids is None else [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    for chunk in chunks:
        stmt = (select(Product).options(selectinload(Product.variants),
                                        selectinload(Product.category))
                .order_by(Product.id))
        if chunk is not None:
            stmt = stmt.where(Product.id.in_(chunk))
        for product in db.session.scalars(stmt):
            for variant in product.variants:
                yield [
                    variant.sku, product.name, format_options(variant.options),
                    product.category.slug if product.category else "",
                    format_price(variant.price), str(variant.stock), product.description or "",
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


# -- import: parsing -----------------------------------------------------------------------

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


@dataclass
class RowPlan:
    """What the import does with one row."""

    number: int
    sku: str
    product: str
    action: str  # create | update | unchanged
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome (or preview) of an import: per-row actions and every error."""

    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    products_created: int = 0
    products_updated: int = 0
    categories_created: list[str] = field(default_factory=list)
    stock_movements: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row > 1})


class ImportRejected(ValidationFailed):
    """The file has errors; nothing was imported. `report.errors` names rows and columns."""

    def __init__(self, report: ImportReport):
        first = "; ".join(str(e) for e in report.errors[:3])
        more = len(report.errors) - 3
        suffix = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"Nothing was imported: {first}{suffix}", report=report)
        self.report = report


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
    errors: list[RowError] = []
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "", "The file is empty; the first row must be the header.")]
    except csv.Error as exc:
        return [], [RowError(1, "", f"Not a readable CSV file ({exc}).")]
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h in names if h not in COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unknown:
            parts.append("unknown " + ", ".join(repr(u) for u in unknown))
        if len(set(names)) != len(names):
            parts.append("a column appears twice")
        return [], [RowError(1, "", "The header must be " + ",".join(COLUMNS) + " ("
                             + "; ".join(parts) + ").")]
    index = {name: names.index(name) for name in COLUMNS}
    rows: list[Row] = []
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
            row = _parse_row(number, {c: raw[index[c]] for c in COLUMNS}, errors)
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
    if not rows and not errors:
        errors.append(RowError(2, "", "The file has a header but no products."))
    return rows, errors


def _parse_row(number: int, cells: dict[str, str], errors: list[RowError]) -> Row | None:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    sku = cells["sku"].strip()
    if not sku:
        fail("sku", "The SKU is required.")
    elif len(sku) > 64 or any(ch.isspace() for ch in sku):
        fail("sku", "A SKU has at most 64 characters and no spaces.")
    product = " ".join(cells["product"].split())
    if not product:
        fail("product", "The product name is required.")
    elif len(product) > 200:
        fail("product", "The product name has at most 200 characters.")
    options: dict = {}
    try:
        options = parse_options(cells["variant"])
    except ValidationFailed as exc:
        fail("variant", exc.message)
    category = " ".join(cells["category"].split())
    if len(category) > 120:
        fail("category", "The category has at most 120 characters.")
    price = Decimal(0)
    raw_price = cells["price"].strip()
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
    stock = None
    raw_stock = cells["stock"].strip()
    if raw_stock:
        if re.fullmatch(r"\d{1,9}", raw_stock):
            stock = int(raw_stock)
        else:
            fail("stock", f"{raw_stock!r} is not a whole number of 0 or more.")
    description = cells["description"].strip()
    if len(description) > 20_000:
        fail("description", "The description is too long (20,000 characters at most).")
    active = None
    raw_active = cells["active"].strip().lower()
    if raw_active in TRUE:
        active = True
    elif raw_active in FALSE:
        active = False
    elif raw_active:
        fail("active", f"{cells['active'].strip()!r} is not yes or no.")
    if len(errors) > before:
        return None
    return Row(number, sku, product, options, category, price, stock, description, active)


# -- import: planning and applying ---------------------------------------------------------

@dataclass
class _Group:
    """The rows of one product, with what they mean for it."""

    name: str
    rows: list[Row]
    product: Product | None = None
    category: str = ""
    description: str = ""
    active: bool | None = None


def _chunked_in(column, values: list) -> Iterable:
    for i in range(0, len(values), _CHUNK):
        yield column.in_(values[i:i + _CHUNK])


def _plan(rows: list[Row], report: ImportReport, *, lock: bool = False):
    """Match rows to existing variants, products and categories; record row errors."""
    skus = [r.sku for r in rows]
    variants: dict[str, Variant] = {}
    for clause in _chunked_in(Variant.sku, skus):
        stmt = select(Variant).where(clause).options(selectinload(Variant.product))
        if lock:
            stmt = stmt.with_for_update()
        variants.update({v.sku: v for v in db.session.scalars(stmt)})
    groups: dict[str, _Group] = {}
    for row in rows:
        groups.setdefault(row.product.casefold(), _Group(row.product, [])).rows.append(row)

    names = sorted({g.name for g in groups.values()})
    by_name: dict[str, list[Product]] = {}
    for clause in _chunked_in(Product.name, names):
        stmt = select(Product).where(clause).options(selectinload(Product.variants))
        for product in db.session.scalars(stmt):
            by_name.setdefault(product.name.casefold(), []).append(product)

    categories = {}
    for category in db.session.scalars(select(Category)):
        categories.setdefault(category.slug.casefold(), category)
        categories.setdefault(category.name.casefold(), category)

    claimed: dict[int, str] = {}
    for key, group in groups.items():
        owners = {variants[r.sku].product_id: r for r in group.rows if r.sku in variants}
        if len(owners) > 1:
            row = list(owners.values())[1]
            report.errors.append(RowError(
                row.number, "product", f"SKU {row.sku} belongs to another product "
                f"({variants[row.sku].product.name}) than the other rows of {group.name!r}."))
            continue
        if owners:
            group.product = variants[next(iter(owners.values())).sku].product
        else:
            matches = by_name.get(key, [])
            if len(matches) > 1:
                report.errors.append(RowError(
                    group.rows[0].number, "product",
                    f"Several products are called {group.name!r}; give one of its SKUs."))
                continue
            group.product = matches[0] if matches else None
        if group.product is not None:
            if group.product.id in claimed:
                report.errors.append(RowError(
                    group.rows[0].number, "product",
                    f"These SKUs belong to the product also named {claimed[group.product.id]!r}"
                    " in this file; use one product name per product."))
                continue
            claimed[group.product.id] = group.name
        _merge_product_fields(group, report)
        option_rows: dict[str, int] = {}
        for row in group.rows:
            signature = json.dumps(row.options, sort_keys=True)
            if signature in option_rows:
                report.errors.append(RowError(
                    row.number, "variant", f"Same options as row {option_rows[signature]} "
                    f"of the same product."))
            option_rows[signature] = row.number
    return variants, groups, categories


def _merge_product_fields(group: _Group, report: ImportReport) -> None:
    """Product-level columns must agree between the rows of one product (or be empty)."""
    first: dict[str, tuple[int, object]] = {}
    for row in group.rows:
        for column, value in (("category", row.category), ("description", row.description),
                              ("active", row.active)):
            if value in ("", None):
                continue
            comparable = value.casefold() if column == "category" else value
            if column not in first:
                first[column] = (row.number, comparable)
                setattr(group, column, value)
            elif first[column][1] != comparable:
                report.errors.append(RowError(
                    row.number, column, f"Differs from row {first[column][0]} of the same "
                    f"product; give it once or the same on every row."))


def _build_report(rows: list[Row], report: ImportReport, variants, groups, categories) -> None:
    """Fill the per-row preview: create, update (with what changes) or unchanged."""
    new_categories: set[str] = set()
    for group in groups.values():
        product = group.product
        product_changes = []
        if group.category and group.category.casefold() not in categories:
            new_categories.add(group.category)
        if product is None:
            report.products_created += 1
        else:
            price = group.rows[0].price
            if product.name != group.name:
                product_changes.append(f"name {product.name} → {group.name}")
            if product.price != price:
                product_changes.append(f"price {product.price} → {price}")
            old_cat = product.category.slug if product.category else ""
            new_cat = categories.get(group.category.casefold()) if group.category else None
            if (new_cat.slug if new_cat else group.category) != old_cat:
                product_changes.append(f"category {old_cat or '-'} → {group.category or '-'}")
            if sanitize_description(group.description) != (product.description or ""):
                product_changes.append("description")
            if group.active is not None and group.active != product.active:
                product_changes.append("active" if group.active else "inactive")
            if product_changes:
                report.products_updated += 1
        base_price = group.rows[0].price
        for i, row in enumerate(group.rows):
            variant = variants.get(row.sku)
            changes = list(product_changes) if i == 0 else []
            if variant is None:
                report.rows.append(RowPlan(row.number, row.sku, row.product, "create",
                                           [f"stock {row.stock or 0}"]))
                continue
            override = None if row.price == base_price else row.price
            if variant.options != row.options:
                changes.append(f"options {format_options(variant.options) or '-'} → "
                               f"{format_options(row.options) or '-'}")
            if variant.price_override != override:
                changes.append(f"price override {format_price(variant.price_override) or '-'}"
                               f" → {format_price(override) or '-'}")
            if row.stock is not None and row.stock != variant.stock:
                changes.append(f"stock {variant.stock} → {row.stock}")
            report.rows.append(RowPlan(row.number, row.sku, row.product,
                                       "update" if changes else "unchanged", changes))
    report.rows.sort(key=lambda r: r.number)
    report.categories_created = sorted(new_categories, key=str.casefold)


def preview_import(data: bytes | str) -> ImportReport:
    """What importing this file would do, without changing anything."""
    rows, errors = parse_csv(data)
    report = ImportReport(errors=errors)
    if rows:
        variants, groups, categories = _plan(rows, report)
        _build_report(rows, report, variants, groups, categories)
    _mark_rejected(report)
    return report


def _mark_rejected(report: ImportReport) -> None:
    """Sort the errors and show every row that has one as rejected in the preview."""
    report.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column else -1))
    problems: dict[int, list[str]] = {}
    for error in report.errors:
        if error.row > 1:
            problems.setdefault(error.row, []).append(
                f"{error.column}: {error.message}" if error.column else error.message)
    planned = {plan.number: plan for plan in report.rows}
    for number, messages in problems.items():
        plan = planned.get(number)
        if plan is None:
            report.rows.append(RowPlan(number, "", "", "rejected", messages))
        else:
            plan.action, plan.changes = "rejected", messages
    report.rows.sort(key=lambda r: r.number)


def import_products(data: bytes | str, *, actor=None) -> ImportReport:
    """Import a product CSV in one write transaction; ImportRejected if any row is wrong."""
    rows, errors = parse_csv(data)
    if errors:
        raise ImportRejected(preview_import(data))  # report every problem, not just the first
    report = ImportReport()
    user_id = getattr(actor, "id", None)
    with write_transaction(), audit.ChangeTracker(db.session()) as tracker:
        variants, groups, categories = _plan(rows, report, lock=True)
        _build_report(rows, report, variants, groups, categories)
        if report.errors:
            _mark_rejected(report)
            raise ImportRejected(report)
        stock_changes = _apply(groups, variants, categories)
        db.session.flush()
        for variant, delta in stock_changes:
            inventory.change_stock(variant.id, delta, "import", note="CSV import",
                                   user_id=user_id)
        report.stock_movements = len(stock_changes)
        db.session.flush()
        tracker.record(actor)
    report.applied = True
    return report


def _apply(groups, variants, categories) -> list[tuple[Variant, int]]:
    """Create and update categories, products and variants; returns the stock deltas."""
    stock_changes: list[tuple[Variant, int]] = []
    new_slugs: set[str] = set()
    for group in groups.values():
        category = None
        if group.category:
            category = categories.get(group.category.casefold())
            if category is None:
                slug = unique_slug(Category, group.category, taken=new_slugs)
                new_slugs.add(slug)
                category = Category(name=group.category, slug=slug)
                db.session.add(category)
                categories[group.category.casefold()] = category
        product = group.product
        base_price = group.rows[0].price
        if product is None:
            product = Product(name=group.name, active=True if group.active is None
                              else group.active,
                              slug=unique_slug(Product, group.name, taken=new_slugs,
                                               max_length=160))
            new_slugs.add(product.slug)
            db.session.add(product)
        elif group.active is not None:
            product.active = group.active
        product.name = group.name
        product.price = base_price
        product.category = category
        product.description = sanitize_description(group.description)
        position = max((v.position for v in product.variants), default=-1) + 1
        for row in group.rows:
            override = None if row.price == base_price else row.price
            variant = variants.get(row.sku)
            if variant is None:
                variant = Variant(sku=row.sku, options=row.options, price_override=override,
                                  stock=0, position=position, active=True)
                position += 1
                product.variants.append(variant)
                if row.stock:
                    stock_changes.append((variant, row.stock))
                continue
            if variant.options != row.options:
                variant.options = row.options
            if variant.price_override != override:
                variant.price_override = override
            if row.stock is not None and row.stock != variant.stock:
                stock_changes.append((variant, row.stock - variant.stock))
    return stock_changes


def count_products() -> int:
    """How many products the catalog holds (for the export summary)."""
    return db.session.scalar(select(func.count()).select_from(Product)) or 0
