"""Discounts: codes customers enter in the cart or at checkout, and each use of one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp

DISCOUNT_KINDS = ("percent", "fixed", "free_shipping")

discount_code_category = Table(
    "discount_code_category", db.Model.metadata,
    Column("discount_code_id", ForeignKey("discount_code.id", ondelete="CASCADE"),
           primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)
discount_code_product = Table(
    "discount_code_product", db.Model.metadata,
    Column("discount_code_id", ForeignKey("discount_code.id", ondelete="CASCADE"),
           primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)


class DiscountCode(db.Model):
    """A code worth a percentage, a fixed amount or free shipping, within its limits.

    `code` is stored upper-case (so it is unique whatever the case typed). Without chosen
    categories or products it applies to every product. `uses` counts placed orders; it
    only grows through store.pricing.discounts.claim_use.
    """

    __tablename__ = "discount_code"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed', 'free_shipping')",
                        name="discount_kind_known"),
        CheckConstraint("value >= 0", name="discount_value_not_negative"),
        CheckConstraint("kind != 'percent' OR value <= 100", name="discount_percent_max"),
        CheckConstraint("min_subtotal >= 0", name="discount_min_subtotal_not_negative"),
        CheckConstraint("uses >= 0", name="discount_uses_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(16), default="percent")
    # Percent (0-100) or an amount in the shop currency; ignored for free shipping.
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True),
                                           default=Decimal("0"), server_default="0")
    min_subtotal: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True),
                                                  default=Decimal("0"), server_default="0")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    max_uses_per_customer: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Timestamp]

    categories = relationship("Category", secondary=discount_code_category,
                              order_by="Category.name")
    products = relationship("Product", secondary=discount_code_product,
                            order_by="Product.name")
    use_records: Mapped[list[DiscountUse]] = relationship(
        back_populates="discount_code", order_by="DiscountUse.id", viewonly=True)

    def __str__(self) -> str:
        return self.code


class DiscountUse(db.Model):
    """One placed order that used a code: by which email and (signed in) account."""

    __tablename__ = "discount_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    discount_code_id: Mapped[int] = mapped_column(
        ForeignKey("discount_code.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"),
                                          unique=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                index=True)
    created_at: Mapped[Timestamp]

    discount_code: Mapped[DiscountCode] = relationship(back_populates="use_records")
    order = relationship("Order")
