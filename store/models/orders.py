"""Orders: the order, its lines (snapshots), its events and internal notes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Money, Timestamp, utcnow
from store.models.types import EncryptedText


class Order(db.Model):
    """A placed order. Its status changes only through store.orders.transition()."""

    __tablename__ = "order"
    __table_args__ = (
        Index("ix_order_status_created", "status", "created_at"),
        Index("ix_order_user_created", "user_id", "created_at"),
        Index("ix_order_status_paid", "status", "paid_at"),  # the dashboard's orders to ship
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short, human-friendly, random: what customers and staff quote; never the primary key.
    number: Mapped[str] = mapped_column(String(16), unique=True)
    # One per checkout form; a double-submitted form finds the existing order.
    checkout_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")

    full_name: Mapped[str] = mapped_column(EncryptedText())
    address_line1: Mapped[str] = mapped_column(EncryptedText())
    address_line2: Mapped[str] = mapped_column(EncryptedText(), default="")
    city: Mapped[str] = mapped_column(EncryptedText())
    postal_code: Mapped[str] = mapped_column(EncryptedText())
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(EncryptedText(), default="")

    shipping_method: Mapped[str] = mapped_column(String(32))
    payment_method: Mapped[str] = mapped_column(String(32), index=True)
    # The provider's reference (e.g. a Stripe Checkout Session id).
    payment_reference: Mapped[str | None] = mapped_column(String(255), index=True)
    # The provider's id of the payment itself (Stripe's PaymentIntent), which refunds name.
    payment_intent: Mapped[str | None] = mapped_column(String(255), index=True)
    # A chargeback the customer opened with their bank (Stripe's dispute status), if any.
    dispute_status: Mapped[str | None] = mapped_column(String(32))

    subtotal: Mapped[Money]
    discount_total: Mapped[Money] = mapped_column(default=Decimal("0.00"), server_default="0")
    # The discount code used (as stored, upper-case), if any.
    discount_code: Mapped[str | None] = mapped_column(String(40))
    shipping_cost: Mapped[Money]
    # The VAT in the total (lines and shipping); None on orders placed before taxes existed
    # (unknown, never recomputed).
    tax_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    # The rate shipping was taxed at (the country's standard rate when placed).
    shipping_tax_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2, asdecimal=True))
    # Whether the catalog prices (unit_price, subtotal, shipping) included VAT when placed.
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=True,
                                                     server_default=sa_true())
    total: Mapped[Money]
    # What has gone back to the customer: refunds sent or done (a failed one is taken off
    # again). Claimed with a conditional UPDATE, so it never exceeds `total`.
    refunded_total: Mapped[Money] = mapped_column(default=Decimal("0.00"), server_default="0")

    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(80))

    created_at: Mapped[Timestamp] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # Indexed: revenue reports count orders by the day they were paid.
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The time after which unpaid stock goes back on the shelf (online and manual payments).
    payment_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # A keyed hash of the client address that placed it: unpaid orders are capped per
    # address without the shop keeping the address itself.
    client_key: Mapped[str | None] = mapped_column(String(64), index=True)

    user = relationship("User")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )
    notes: Mapped[list[OrderNote]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderNote.id"
    )
    refunds = relationship("Refund", back_populates="order", cascade="all, delete-orphan",
                           order_by="Refund.id")
    invoices = relationship("Invoice", back_populates="order", cascade="all, delete-orphan",
                            order_by="Invoice.id")

    def __str__(self) -> str:
        return self.number

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def address_lines(self, country_name: str | None = None) -> list[str]:
        """The shipping address as printed lines, the country as `country_name` when given."""
        lines = [self.full_name, self.address_line1, self.address_line2,
                 f"{self.postal_code} {self.city}", country_name or self.country]
        return [line for line in lines if line and line.strip()]


class OrderLine(db.Model):
    """One line of an order, a snapshot of what was bought at what price."""

    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variant.id", ondelete="SET NULL"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict] = mapped_column(db.JSON, default=dict)
    unit_price: Mapped[Money]
    quantity: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[Money]
    # The VAT snapshot: net unit price, rate in percent and the line's tax; None on lines
    # placed before taxes existed.
    unit_price_net: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))
    tax_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2, asdecimal=True))
    tax_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2, asdecimal=True))

    order: Mapped[Order] = relationship(back_populates="lines")
    variant = relationship("Variant")

    @property
    def options_label(self) -> str:
        return " / ".join(str(v) for v in (self.options or {}).values())


class OrderEvent(db.Model):
    """Something that happened to an order: a status change, who did it, when and why."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(EncryptedText(), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp]

    order: Mapped[Order] = relationship(back_populates="events")
    user = relationship("User")


class OrderNote(db.Model):
    """An internal note on an order; customers never see it."""

    __tablename__ = "order_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[Timestamp]

    order: Mapped[Order] = relationship(back_populates="notes")
    user = relationship("User")


class ProcessedWebhook(db.Model):
    """A payment provider event already handled; replays and duplicates are ignored."""

    __tablename__ = "processed_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[Timestamp]

