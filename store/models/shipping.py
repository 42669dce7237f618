"""Shipping: zones (sets of countries) and their methods, priced flat or by bands."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Money

PRICE_KINDS = ("flat", "value_bands", "weight_bands")


class ShippingZone(db.Model):
    """Countries shipped to alike; `rest_of_world` catches every country no zone names."""

    __tablename__ = "shipping_zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # ISO 3166 alpha-2 codes, upper case; a country belongs to one zone only
    # (checked by store.pricing.shipping.check_zone: a JSON list has no unique index).
    countries: Mapped[list] = mapped_column(db.JSON, default=list)
    rest_of_world: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    methods: Mapped[list[ShippingMethod]] = relationship(
        back_populates="zone", cascade="all, delete-orphan", order_by="ShippingMethod.position"
    )

    def __str__(self) -> str:
        return self.name


class ShippingMethod(db.Model):
    """A way to deliver in one zone (`standard`, `express`, ...) and how it is priced."""

    __tablename__ = "shipping_method"
    __table_args__ = (UniqueConstraint("zone_id", "code", name="uq_shipping_method_zone_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_zone.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    # One of PRICE_KINDS: flat_price, or the band the order value / weight falls in.
    price_kind: Mapped[str] = mapped_column(String(16), default="flat")
    flat_price: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    # Free from this order subtotal up (inclusive); empty: never free.
    free_above: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    zone: Mapped[ShippingZone] = relationship(back_populates="methods")
    bands: Mapped[list[ShippingBand]] = relationship(
        back_populates="method", cascade="all, delete-orphan", order_by="ShippingBand.id"
    )

    def __str__(self) -> str:
        return f"{self.zone.name if self.zone else '?'}: {self.name}"


class ShippingBand(db.Model):
    """A price for order values (money) or weights (kg) up to and including `upper_bound`.

    An empty upper bound means "and above"; only the highest band may have one.
    """

    __tablename__ = "shipping_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_method.id", ondelete="CASCADE"), index=True
    )
    upper_bound: Mapped[Decimal | None] = mapped_column(Numeric(12, 3), nullable=True)
    price: Mapped[Money]

    method: Mapped[ShippingMethod] = relationship(back_populates="bands")

    def __str__(self) -> str:
        return f"≤ {self.upper_bound}: {self.price}" if self.upper_bound is not None else \
            f"above: {self.price}"
