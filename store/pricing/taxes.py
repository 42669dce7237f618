"""Taxes: the VAT classes of products, the rates per country and class, and their seed.

Rates are data (the `tax_rate` table, edited in the back office). A class a country does not
list is taxed at that country's standard rate, except `zero`, which is never taxed; a
country without any rate (the rest of the world) is taxed at 0 %.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal
from sqlalchemy import func, select

from store.database import write_transaction
from store.errors import ValidationFailed
from store.extensions import db
from store.models import TaxRate

ZERO_RATE = Decimal("0.00")
TAX_CLASSES = ("standard", "reduced", "super-reduced", "zero")
CLASS_LABELS = {"standard": "Standard", "reduced": "Reduced",
                "super-reduced": "Super-reduced", "zero": "Zero (exempt)"}

# The demo shop is Spanish: every class of Spain, and the standard rate of the other 26 EU
# countries (their reduced classes fall back to the standard rate until an owner adds them).
SPAIN = {"standard": "21", "reduced": "10", "super-reduced": "4", "zero": "0"}
EU_STANDARD = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25",
    "EE": "24", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27", "IE": "23",
    "IT": "22", "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21", "PL": "23",
    "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
}


def default_rates() -> list[tuple[str, str, Decimal]]:
    """The seeded (country, tax class, rate) rows."""
    rows = [("ES", tax_class, Decimal(rate)) for tax_class, rate in SPAIN.items()]
    rows += [(country, "standard", Decimal(rate)) for country, rate in EU_STANDARD.items()]
    return rows


def seed_tax_rates() -> int:
    """Store the default rates when the shop has none yet; returns how many. Commits."""
    with write_transaction():
        if db.session.scalar(select(func.count(TaxRate.id))):
            return 0
        rows = default_rates()
        db.session.add_all(TaxRate(country=c, tax_class=k, rate=r) for c, k, r in rows)
    return len(rows)


def check_rate(country: str | None, tax_class: str | None, rate) -> None:
    """Refuse a rate row that cannot be used: ValidationFailed names the field (in English:
    only the back office edits rates)."""
    if not country or len(country) != 2 or not country.isalpha() or not country.isupper():
        raise ValidationFailed("Use the country's two-letter code, e.g. ES.",
                               field="country")
    if tax_class not in TAX_CLASSES:
        raise ValidationFailed("Choose one of the tax classes.", field="tax_class")
    if rate is None or not Decimal(0) <= Decimal(rate) <= Decimal(100):
        raise ValidationFailed("A tax rate is a percentage from 0 to 100.",
                               field="rate")


def country_rates(country: str | None) -> dict[str, Decimal]:
    """Every class's rate in a country, with the fall-backs applied (one query)."""
    listed = {}
    if country:
        listed = dict(db.session.execute(
            select(TaxRate.tax_class, TaxRate.rate).where(TaxRate.country == country.upper())
        ).tuples().all())
    standard = listed.get("standard", ZERO_RATE)
    rates = {tax_class: listed.get(tax_class, standard) for tax_class in TAX_CLASSES}
    rates["zero"] = listed.get("zero", ZERO_RATE)
    return {tax_class: Decimal(rate) for tax_class, rate in rates.items()}


def format_rate(rate) -> str:
    """A rate as people write it, in the active language: 21, 25.5 (25,5 in Spanish)."""
    value = Decimal(rate)
    return format_decimal(value.quantize(Decimal(1)) if value == value.to_integral() else value)


def rate_for(country: str | None, tax_class: str) -> Decimal:
    """The rate in percent of one class in one country."""
    return country_rates(country)[tax_class if tax_class in TAX_CLASSES else "standard"]
