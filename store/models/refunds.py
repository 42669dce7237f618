"""Refunds and invoices: money going back to a customer, and the numbered documents of a sale.

A refund is a record of what went back (lines and quantities, shipping, tax), who did it,
why, and the payment provider's reference. An invoice or credit note is a numbered legal
document: its number is allocated from a per-year sequence in the transaction that issues it,
and the seller and buyer details are copied onto it when issued, so later edits of the store
settings or of the customer never change a document already sent.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Money, Timestamp
from store.models.types import EncryptedJSON, EncryptedText


class Refund(db.Model):
    """Money returned on an order: some lines, some shipping, or everything."""

    __tablename__ = "refund"

    STATUSES = ("pending", "succeeded", "failed")

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    # The whole amount returned: lines + shipping (VAT included).
    amount: Mapped[Money]
    shipping_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    # The VAT inside `amount`; None when the order's tax is unknown (placed before taxes).
    tax_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    reason: Mapped[str] = mapped_column(EncryptedText(), default="")
    # pending: claimed against the order and sent to the provider; succeeded: the money went
    # back; failed: the provider refused, and the amount counts as refundable again.
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    provider: Mapped[str] = mapped_column(String(32))
    # The provider's id for the refund (e.g. Stripe's re_...), or the bank transfer reference
    # staff typed for a manual refund.
    provider_reference: Mapped[str | None] = mapped_column(String(255), index=True)
    failure: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp]
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order = relationship("Order", back_populates="refunds")
    user = relationship("User")
    lines: Mapped[list[RefundLine]] = relationship(
        back_populates="refund", cascade="all, delete-orphan", order_by="RefundLine.id")

    def __str__(self) -> str:
        return f"Refund {self.id} of {self.amount}"


class RefundLine(db.Model):
    """Part of one order line given back in a refund, and whether its stock went back."""

    __tablename__ = "refund_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id", ondelete="CASCADE"),
                                           index=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_line.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    # What this part of the line returns (VAT included) and the VAT inside it.
    amount: Mapped[Money]
    tax_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    restock: Mapped[bool] = mapped_column(Boolean, default=False)

    refund: Mapped[Refund] = relationship(back_populates="lines")
    order_line = relationship("OrderLine")


class DocumentSequence(db.Model):
    """The last number used per kind of document and year: numbers follow without gaps."""

    __tablename__ = "document_sequence"

    # "INV" for invoices, "CN" for credit notes.
    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(db.Model):
    """An invoice (when an order is paid) or a credit note (when money goes back)."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("prefix", "year", "sequence"),)

    KINDS = ("invoice", "credit_note")

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="invoice")
    prefix: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # "INV-2026-000001": what the customer, staff and the tax office quote.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"),
                                          index=True)
    # The refund a credit note is for; None on invoices.
    refund_id: Mapped[int | None] = mapped_column(
        ForeignKey("refund.id", ondelete="CASCADE"), unique=True)
    issued_at: Mapped[Timestamp]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # The document's total and the VAT inside it (a credit note holds the positive amount
    # returned).
    total: Mapped[Money]
    tax_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    # Copied when issued: {"legal_name", "address", "tax_number", "shop_name", "email"}.
    seller: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # Copied when issued: {"name", "email", "address": [lines], "country"}; personal data.
    buyer: Mapped[dict] = mapped_column(EncryptedJSON(), default=dict)

    order = relationship("Order", back_populates="invoices")
    refund = relationship("Refund")

    def __str__(self) -> str:
        return self.number
