"""Pricing: tax rates per country and tax class."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.extensions import db


class TaxRate(db.Model):
    """The VAT rate, in percent, of one tax class in one country (ISO 3166 alpha-2 code).

    A class a country does not list is taxed at the country's standard rate; a country
    without any rate is not taxed (0 %).
    """

    __tablename__ = "tax_rate"
    __table_args__ = (
        UniqueConstraint("country", "tax_class", name="uq_tax_rate_country_class"),
        CheckConstraint("rate >= 0 AND rate <= 100", name="tax_rate_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    tax_class: Mapped[str] = mapped_column(String(16), default="standard")
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 2, asdecimal=True))

    def __str__(self) -> str:
        return f"{self.country} {self.tax_class} {self.rate} %"
