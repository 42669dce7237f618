"""Shipping: configured flat rates per method, standard shipping free above a threshold."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l

from store.errors import ValidationFailed

ZERO = Decimal("0.00")

METHODS = ("standard", "express")
# A method's name, with its delivery time: checkout choices and emails.
LABELS = {"standard": _l("Standard delivery (3–5 working days)"),
          "express": _l("Express delivery (1–2 working days)")}
# The same names where space is short (the order page) and on the checkout's total line.
SHORT_LABELS = {"standard": _l("Standard delivery"), "express": _l("Express delivery")}
TOTAL_LABELS = {"standard": _l("Total with standard delivery"),
                "express": _l("Total with express delivery")}
_STYLES = {"full": LABELS, "short": SHORT_LABELS, "total": TOTAL_LABELS}


def shipping_label(code: str, style: str = "full") -> str:
    """A shipping method's name in the active language ("full", "short" or "total" wording).

    Every page and email that names a method goes through here; an unknown code (an old
    order's method since removed) is shown as it is.
    """
    label = _STYLES[style].get(code)
    return str(label) if label is not None else code


@dataclass(frozen=True)
class ShippingOption:
    """A shipping method with its price for one cart."""

    code: str
    label: str
    cost: Decimal
    free_above: Decimal | None


def _rates(config=None) -> dict:
    cfg = config if config is not None else current_app.config
    return {
        "standard": Decimal(cfg["SHIPPING_STANDARD"]),
        "express": Decimal(cfg["SHIPPING_EXPRESS"]),
        "threshold": Decimal(cfg["SHIPPING_FREE_THRESHOLD"]),
    }


def shipping_cost(method: str, subtotal: Decimal, config=None, *, country: str | None = None,
                  weight: Decimal = Decimal(0)) -> Decimal:
    """What delivery costs for a subtotal; nothing to ship costs nothing.

    Standard delivery is free from the threshold up; express always costs its rate.
    `country` and `weight` are accepted for shipping zones (not used yet).
    """
    if method not in METHODS:
        raise ValidationFailed(str(_l("Please choose a shipping method.")),
                               field="shipping_method")
    if subtotal <= ZERO:
        return ZERO
    rates = _rates(config)
    if method == "standard" and subtotal >= rates["threshold"]:
        return ZERO
    return rates[method].quantize(Decimal("0.01"))


def options(subtotal: Decimal, config=None) -> list[ShippingOption]:
    """Every shipping method with its cost for this subtotal, for the checkout form."""
    threshold = _rates(config)["threshold"]
    return [ShippingOption(code, shipping_label(code), shipping_cost(code, subtotal, config),
                           threshold if code == "standard" else None)
            for code in METHODS]
