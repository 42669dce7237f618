"""Carts: one per visitor (by token) or per customer, with their lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp, utcnow


class Cart(db.Model):
    """A cart: a visitor's (found by the token in their session) or a customer's saved one."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # A discount code the customer entered in the cart (checked again at checkout).
    discount_code: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[Timestamp]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(db.Model):
    """A variant and quantity in a cart, with the unit price the customer saw when adding."""

    __tablename__ = "cart_line"
    __table_args__ = (UniqueConstraint("cart_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variant.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    price_seen: Mapped[Decimal] = mapped_column(db.Numeric(12, 2))

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant = relationship("Variant")
