"""Product CSV import, in the format of store.catalog.product_csv (see DESIGN.md).

Import creates or updates by `sku`:

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
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from store.audit import services as audit
from store.catalog import products
from store.catalog.csv_rows import Row, RowError, parse_csv
from store.catalog.product_csv import CHUNK, COLUMNS, format_options, format_price
from store.database import write_transaction
from store.errors import ValidationFailed
from store.extensions import db
from store.inventory import services as inventory
from store.models import Category, Product, Variant

# -- the report --------------------------------------------------------------------------

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


# -- planning and applying ----------------------------------------------------------------

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
    for i in range(0, len(values), CHUNK):
        yield column.in_(values[i:i + CHUNK])


def _plan(rows: list[Row], report: ImportReport, *, lock: bool = False):
    """Match rows to existing variants, products and categories; record row errors."""
    variants = _variants_by_sku([r.sku for r in rows], lock=lock)
    groups: dict[str, _Group] = {}
    for row in rows:
        groups.setdefault(row.product.casefold(), _Group(row.product, [])).rows.append(row)
    by_name = _products_by_name(sorted({g.name for g in groups.values()}))
    categories = _categories_by_key()
    claimed: dict[int, str] = {}
    for key, group in groups.items():
        error = _match_product(group, variants, by_name.get(key, []), claimed)
        if error is not None:
            report.errors.append(error)
            continue
        _merge_product_fields(group, report)
        _check_distinct_options(group, report)
    return variants, groups, categories


def _variants_by_sku(skus: list[str], *, lock: bool) -> dict[str, Variant]:
    variants: dict[str, Variant] = {}
    for clause in _chunked_in(Variant.sku, skus):
        stmt = select(Variant).where(clause).options(selectinload(Variant.product))
        if lock:
            stmt = stmt.with_for_update()
        variants.update({v.sku: v for v in db.session.scalars(stmt)})
    return variants


def _products_by_name(names: list[str]) -> dict[str, list[Product]]:
    by_name: dict[str, list[Product]] = {}
    for clause in _chunked_in(Product.name, names):
        stmt = select(Product).where(clause).options(selectinload(Product.variants))
        for product in db.session.scalars(stmt):
            by_name.setdefault(product.name.casefold(), []).append(product)
    return by_name


def _categories_by_key() -> dict[str, Category]:
    """Every category under its slug and its name, casefolded (the file may give either)."""
    categories: dict[str, Category] = {}
    for category in db.session.scalars(select(Category)):
        categories.setdefault(category.slug.casefold(), category)
        categories.setdefault(category.name.casefold(), category)
    return categories


def _match_product(group: _Group, variants: dict[str, Variant], same_name: list[Product],
                   claimed: dict[int, str]) -> RowError | None:
    """Set the existing product the rows update (by SKU, else by name); or what is wrong."""
    owners = {variants[r.sku].product_id: r for r in group.rows if r.sku in variants}
    if len(owners) > 1:
        row = list(owners.values())[1]
        return RowError(
            row.number, "product", f"SKU {row.sku} belongs to another product "
            f"({variants[row.sku].product.name}) than the other rows of {group.name!r}.")
    if owners:
        group.product = variants[next(iter(owners.values())).sku].product
    elif len(same_name) > 1:
        return RowError(group.rows[0].number, "product",
                        f"Several products are called {group.name!r}; give one of its SKUs.")
    else:
        group.product = same_name[0] if same_name else None
    if group.product is None:
        return None
    if group.product.id in claimed:
        return RowError(
            group.rows[0].number, "product",
            f"These SKUs belong to the product also named {claimed[group.product.id]!r}"
            " in this file; use one product name per product.")
    claimed[group.product.id] = group.name
    return None


def _check_distinct_options(group: _Group, report: ImportReport) -> None:
    """Two rows of one product cannot have the same options."""
    option_rows: dict[str, int] = {}
    for row in group.rows:
        signature = json.dumps(row.options, sort_keys=True)
        if signature in option_rows:
            report.errors.append(RowError(
                row.number, "variant", f"Same options as row {option_rows[signature]} "
                f"of the same product."))
        option_rows[signature] = row.number


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
        if group.category and group.category.casefold() not in categories:
            new_categories.add(group.category)
        product_changes = []
        if group.product is None:
            report.products_created += 1
        else:
            product_changes = _product_changes(group, categories)
            if product_changes:
                report.products_updated += 1
        base_price = group.rows[0].price
        for i, row in enumerate(group.rows):
            changes = list(product_changes) if i == 0 else []
            report.rows.append(_row_plan(row, variants.get(row.sku), base_price, changes))
    report.rows.sort(key=lambda r: r.number)
    report.categories_created = sorted(new_categories, key=str.casefold)


def _product_changes(group: _Group, categories: dict[str, Category]) -> list[str]:
    """What the rows change on their existing product, as short phrases for the preview."""
    product = group.product
    changes = []
    price = group.rows[0].price
    if product.name != group.name:
        changes.append(f"name {product.name} → {group.name}")
    if product.price != price:
        changes.append(f"price {product.price} → {price}")
    old_cat = product.category.slug if product.category else ""
    new_cat = categories.get(group.category.casefold()) if group.category else None
    if (new_cat.slug if new_cat else group.category) != old_cat:
        changes.append(f"category {old_cat or '-'} → {group.category or '-'}")
    if products.clean_description(group.description) != (product.description or ""):
        changes.append("description")
    if group.active is not None and group.active != product.active:
        changes.append("active" if group.active else "inactive")
    return changes


def _row_plan(row: Row, variant: Variant | None, base_price, changes: list[str]) -> RowPlan:
    """The preview line of one row: create, or update with its changes, or unchanged."""
    if variant is None:
        return RowPlan(row.number, row.sku, row.product, "create", [f"stock {row.stock or 0}"])
    override = None if row.price == base_price else row.price
    if variant.options != row.options:
        changes.append(f"options {format_options(variant.options) or '-'} → "
                       f"{format_options(row.options) or '-'}")
    if variant.price_override != override:
        changes.append(f"price override {format_price(variant.price_override) or '-'}"
                       f" → {format_price(override) or '-'}")
    if row.stock is not None and row.stock != variant.stock:
        changes.append(f"stock {variant.stock} → {row.stock}")
    return RowPlan(row.number, row.sku, row.product, "update" if changes else "unchanged",
                   changes)


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
        category = _category_for(group, categories, new_slugs)
        product = group.product
        if product is None:
            product = Product(name=group.name, active=True if group.active is None
                              else group.active)
        elif group.active is not None:
            product.active = group.active
        product.name = group.name
        product.price = group.rows[0].price
        product.category = category
        product.description = group.description
        stock_changes += _apply_variants(product, group, variants)
        products.prepare_product(product, taken=new_slugs)
        if group.product is None:
            new_slugs.add(product.slug)
            db.session.add(product)
    return stock_changes


def _category_for(group: _Group, categories: dict[str, Category],
                  new_slugs: set[str]) -> Category | None:
    """The group's category by slug or name, created (with a new slug) when there is none."""
    if not group.category:
        return None
    category = categories.get(group.category.casefold())
    if category is None:
        category = Category(name=group.category)
        products.prepare_category(category, taken=new_slugs)
        new_slugs.add(category.slug)
        db.session.add(category)
        categories[group.category.casefold()] = category
    return category


def _apply_variants(product: Product, group: _Group, variants) -> list[tuple[Variant, int]]:
    """Create or update the product's variant for each row; returns the stock deltas."""
    stock_changes: list[tuple[Variant, int]] = []
    base_price = group.rows[0].price
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
