"""Invoices and credit notes: numbered without gaps, issued in the transaction that causes them.

An invoice is issued when an order becomes paid (store.orders.services.apply_transition, on
every path: staff, bulk actions, the Stripe webhook); a credit note when a refund succeeds
(`issue_credit_note`, called by the refund service). Numbers run per kind and year
(INV-2026-000001, CN-2026-000001) from a DocumentSequence row bumped with a conditional
UPDATE in the caller's transaction: concurrent issuers queue on that row, and a transaction
that rolls back gives its number back, so the numbers have no gaps and no duplicates.

The seller's and buyer's details are copied onto the document when issued; its figures come
from the order's own price snapshot (store.pricing.totals.order_price) or the refund's lines.
The PDF is drawn from the stored document by store.orders.invoice_pdf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.extensions import db
from store.models import Order
from store.models.base import utcnow
from store.models.refunds import DocumentSequence, Invoice, Refund
from store.pricing.totals import ZERO, TaxShare, order_price
from store.settings.services import get_settings

PREFIXES = {"invoice": "INV", "credit_note": "CN"}
# What the outbox calls an attached document (store.notifications.attachments).
ATTACHMENT_KIND = "invoice"


# -- numbers -----------------------------------------------------------------------------------

def document_year(issued_at: datetime) -> int:
    """The numbering year of a document: its issue date's year in UTC.

    The shop has no timezone setting; UTC is what every stored timestamp uses, so a
    document issued at 00:30 on 1 January in Madrid still counts in the old year.
    """
    return issued_at.astimezone(UTC).year


def allocate_number(prefix: str, year: int) -> int:
    """The next number of a (prefix, year) sequence, in the caller's transaction.

    The row is created when missing (INSERT ... ON CONFLICT DO NOTHING, so two first
    documents of a year do not collide), then bumped with UPDATE ... RETURNING, which
    holds the row until the caller commits or rolls back: concurrent issuers wait their
    turn, and a rollback returns the number.
    """
    table = DocumentSequence.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(table).values(prefix=prefix, year=year, last_number=0)
                       .on_conflict_do_nothing())
    return db.session.execute(
        update(table).where(table.c.prefix == prefix, table.c.year == year)
        .values(last_number=table.c.last_number + 1).returning(table.c.last_number)
    ).scalar_one()


def format_number(prefix: str, year: int, sequence: int) -> str:
    """A document number as printed: INV-2026-000001."""
    return f"{prefix}-{year}-{sequence:06d}"


# -- issuing -----------------------------------------------------------------------------------

def seller_details() -> dict:
    """The shop's legal details today, to copy onto a document."""
    settings = get_settings()
    return {"legal_name": settings.legal_name or settings.shop_name,
            "address": settings.address, "tax_number": settings.tax_number,
            "shop_name": settings.shop_name, "email": settings.contact_email}


def buyer_details(order: Order) -> dict:
    """The buyer as the order names them, to copy onto a document."""
    address = [order.address_line1, order.address_line2,
               f"{order.postal_code} {order.city}".strip()]
    return {"name": order.full_name, "email": order.email,
            "address": [line for line in address if line and line.strip()],
            "country": order.country}


def _issue(kind: str, order: Order, *, total: Decimal, tax_total: Decimal | None,
           refund: Refund | None = None) -> Invoice:
    issued_at = utcnow()
    prefix = PREFIXES[kind]
    year = document_year(issued_at)
    sequence = allocate_number(prefix, year)
    document = Invoice(kind=kind, prefix=prefix, year=year, sequence=sequence,
                       number=format_number(prefix, year, sequence), order_id=order.id,
                       refund_id=refund.id if refund is not None else None,
                       issued_at=issued_at, currency=order.currency, total=total,
                       tax_total=tax_total, seller=seller_details(), buyer=buyer_details(order))
    db.session.add(document)
    db.session.flush()
    return document


def invoice_of(order: Order) -> Invoice | None:
    """The order's invoice, if it has been issued."""
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id,
                                                   Invoice.kind == "invoice"))


def issue_invoice(order: Order) -> Invoice:
    """Issue the invoice of a paid order in the caller's transaction. Does not commit.

    One invoice per order: calling it again returns the one already issued. The caller
    holds the order's row (apply_transition locks it), so two calls cannot race.
    """
    existing = invoice_of(order)
    if existing is not None:
        return existing
    return _issue("invoice", order, total=order.total, tax_total=order.tax_total)


def issue_credit_note(refund: Refund) -> Invoice:
    """Issue the credit note of a succeeded refund in the caller's transaction.

    Does not commit; one per refund (calling it again returns the one issued). Its total
    is the amount returned and its tax the VAT inside it.
    """
    existing = db.session.scalar(select(Invoice).where(Invoice.refund_id == refund.id))
    if existing is not None:
        return existing
    order = refund.order or db.session.get(Order, refund.order_id)
    return _issue("credit_note", order, total=refund.amount, tax_total=refund.tax_amount,
                  refund=refund)


def attachment(document: Invoice) -> dict:
    """How an outbox message names this document's PDF as an attachment."""
    return {"kind": ATTACHMENT_KIND, "id": document.id}


def documents_of(order: Order) -> list[Invoice]:
    """The order's invoice and credit notes, in the order they were issued."""
    return list(db.session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                   .order_by(Invoice.id)))


def find_document(order: Order, number: str, kind: str) -> Invoice | None:
    """One of the order's documents by its number and kind (None when not this order's)."""
    return db.session.scalar(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.number == (number or "").strip().upper()[:32],
        Invoice.kind == kind))


# -- what a document shows -----------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentRow:
    """One row of a document's table: what, how many, at what price and rate, for how much."""

    name: str
    sku: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class DocumentFigures:
    """Every figure a document prints, computed here so the PDF only lays them out."""

    rows: tuple[DocumentRow, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    taxes: tuple[TaxShare, ...]
    tax_total: Decimal | None
    total: Decimal
    prices_include_tax: bool

    @property
    def tax_known(self) -> bool:
        """False for orders placed before taxes existed: no VAT breakdown."""
        return self.tax_total is not None


def _line_name(line) -> str:
    return f"{line.product_name} ({line.options_label})" if line.options_label \
        else line.product_name


def invoice_figures(order: Order) -> DocumentFigures:
    """An invoice's figures: the order's price snapshot, line by line and rate by rate."""
    price = order_price(order)
    rows = tuple(DocumentRow(_line_name(line), line.sku, priced.quantity, priced.unit_price,
                             line.tax_rate, priced.line_total)
                 for line, priced in zip(order.lines, price.lines, strict=True))
    return DocumentFigures(rows=rows, subtotal=price.subtotal, discount=price.discount,
                           shipping=price.shipping, taxes=price.taxes, tax_total=price.tax,
                           total=price.total, prices_include_tax=price.prices_include_tax)


def credit_note_figures(refund: Refund) -> DocumentFigures:
    """A credit note's figures: the refund's lines and shipping, VAT included, by rate.

    Refund amounts always include VAT (store.models.refunds), so the taxable base of each
    rate is its amount less its tax; shipping's VAT is what the refund's tax leaves.
    """
    order = refund.order
    rows, by_rate = [], {}
    for part in refund.lines:
        line = part.order_line
        rows.append(DocumentRow(_line_name(line), line.sku, part.quantity, line.unit_price,
                                line.tax_rate, part.amount))
        _add_share(by_rate, line.tax_rate, part.amount, part.tax_amount)
    lines_total = sum((part.amount for part in refund.lines), ZERO)
    lines_tax = sum((part.tax_amount or ZERO for part in refund.lines), ZERO)
    shipping = refund.shipping_amount or ZERO
    taxes: tuple[TaxShare, ...] = ()
    if refund.tax_amount is not None:
        if shipping:
            _add_share(by_rate, order.shipping_tax_rate, shipping, refund.tax_amount - lines_tax)
        taxes = tuple(TaxShare(rate, amount - tax, tax)
                      for rate, (amount, tax) in sorted(by_rate.items()) if tax or rate)
    return DocumentFigures(rows=tuple(rows), subtotal=lines_total, discount=ZERO,
                           shipping=shipping, taxes=taxes, tax_total=refund.tax_amount,
                           total=refund.amount, prices_include_tax=True)


def _add_share(by_rate: dict, rate: Decimal | None, amount: Decimal,
               tax: Decimal | None) -> None:
    entry = by_rate.setdefault(rate or ZERO, [ZERO, ZERO])
    entry[0] += amount
    entry[1] += tax or ZERO


def figures(document: Invoice) -> DocumentFigures:
    """What a document prints: its order's snapshot, or its refund's lines."""
    if document.kind == "credit_note" and document.refund is not None:
        return credit_note_figures(document.refund)
    return invoice_figures(document.order)
