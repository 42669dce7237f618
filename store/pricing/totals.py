"""The one pricing function: what an order costs, line by line, with its VAT.

Every total the shop shows or charges (cart, checkout, the placed order, emails, back
office) comes from `price_order`; templates only print its figures or the order's snapshot.

Prices are Decimal, in the shop currency, as entered in the catalog: with VAT included
(the customer pays the sticker price, the tax is extracted from it) or without (the tax is
added). Every line is rounded to the cent, half up, on its own; shipping is taxed at the
country's standard rate; a discount lowers the taxed amount of the lines in proportion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from store.pricing import shipping as shipping_rates
from store.pricing.taxes import TAX_CLASSES, country_rates
from store.settings.services import get_settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """Round to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_in(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    """The VAT of an amount at `rate` percent: extracted from it, or to add to it."""
    if included:
        return cents(amount * rate / (HUNDRED + rate))
    return cents(amount * rate / HUNDRED)


@dataclass(frozen=True)
class Discount:
    """An amount off the order (in the catalog's convention) and/or free shipping."""

    amount: Decimal = ZERO
    free_shipping: bool = False


@dataclass(frozen=True)
class PricedLine:
    """One line priced: catalog unit price, its net, rate, tax and the line total."""

    tax_class: str
    unit_price: Decimal       # as entered in the catalog (gross or net, per the setting)
    unit_price_net: Decimal   # without VAT
    quantity: int
    tax_rate: Decimal         # percent
    discount: Decimal         # the part of the order discount this line carries
    tax_amount: Decimal       # VAT of the line after its discount
    line_total: Decimal       # unit_price x quantity, as entered


@dataclass(frozen=True)
class TaxShare:
    """The VAT at one rate: the net amount it is levied on and the tax."""

    rate: Decimal
    net: Decimal
    amount: Decimal


@dataclass(frozen=True)
class OrderPrice:
    """An order's money: lines, subtotal, discount, shipping, VAT per rate, total."""

    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    free_shipping: bool
    shipping: Decimal
    shipping_tax_rate: Decimal
    shipping_tax: Decimal
    tax: Decimal | None       # None: an order placed before taxes existed (unknown)
    taxes: tuple[TaxShare, ...]
    total: Decimal
    prices_include_tax: bool
    country: str | None

    @property
    def tax_known(self) -> bool:
        """False for orders placed before taxes existed: their VAT is not known."""
        return self.tax is not None


def _tax_class(item) -> str:
    tax_class = item if isinstance(item, str) else getattr(
        getattr(item, "product", None), "tax_class", None) or getattr(item, "tax_class", None)
    return tax_class if tax_class in TAX_CLASSES else "standard"


def spread(discount: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """Share a discount between lines in proportion to their amounts, to the cent.

    No line carries more than its own amount, and the shares add up to the discount.
    """
    total = sum(amounts, ZERO)
    if discount <= 0 or total <= 0:
        return [ZERO] * len(amounts)
    shares = [min(cents(discount * amount / total), amount) for amount in amounts]
    # The rounding difference goes to the largest lines that can carry it.
    for i in sorted(range(len(amounts)), key=lambda i: amounts[i], reverse=True):
        left = discount - sum(shares, ZERO)
        if not left:
            break
        shares[i] = min(max(shares[i] + left, ZERO), amounts[i])
    return shares


def _covered(items, amounts: list[Decimal], discount) -> list[Decimal]:
    """The amounts a discount is shared over: the lines of the products it covers
    (`discount.product_ids`), or every line when it names none."""
    covered = getattr(discount, "product_ids", None)
    if covered is None:
        return amounts
    return [amount if getattr(item, "product_id", None) in covered else ZERO
            for item, amount in zip(items, amounts, strict=True)]


def _shares(lines: Iterable[PricedLine], shipping: tuple[Decimal, Decimal, Decimal],
            included: bool) -> tuple[TaxShare, ...]:
    by_rate: dict[Decimal, list[Decimal]] = {}
    items = [(ln.tax_rate, ln.line_total - ln.discount, ln.tax_amount) for ln in lines]
    for rate, amount, tax in [*items, shipping]:
        entry = by_rate.setdefault(rate, [ZERO, ZERO])
        entry[0] += amount - tax if included else amount
        entry[1] += tax
    return tuple(TaxShare(rate, net, tax) for rate, (net, tax) in sorted(by_rate.items())
                 if tax or rate)


def price_order(lines, *, country: str | None, shipping_method: str,
                weight: Decimal = Decimal(0), discount=None,
                prices_include_tax: bool | None = None) -> OrderPrice:
    """Price an order: `lines` are (variant or tax class, catalog unit price, quantity).

    `discount` has `amount` (a Decimal, in the catalog's convention) and `free_shipping`;
    None is no discount. `prices_include_tax` defaults to the shop's setting.
    """
    if prices_include_tax is None:
        prices_include_tax = get_settings().prices_include_tax
    rates = country_rates(country)
    lines = list(lines)
    entered = [(_tax_class(item), cents(Decimal(price)), int(quantity))
               for item, price, quantity in lines]
    amounts = [cents(price * quantity) for _c, price, quantity in entered]
    subtotal = sum(amounts, ZERO)
    off = min(cents(discount.amount), subtotal) if discount is not None else ZERO
    off = max(off, ZERO)
    priced = []
    for (tax_class, price, quantity), amount, share in zip(
            entered, amounts, spread(off, _covered([item for item, _p, _q in lines], amounts,
                                                    discount)), strict=True):
        rate = rates[tax_class]
        net = price - tax_in(price, rate, True) if prices_include_tax else price
        priced.append(PricedLine(tax_class, price, net, quantity, rate, share,
                                 tax_in(amount - share, rate, prices_include_tax), amount))
    free = bool(discount is not None and getattr(discount, "free_shipping", False))
    cost = ZERO if free else shipping_rates.shipping_cost(
        shipping_method, subtotal - off, country=country, weight=weight)
    ship_rate = rates["standard"]
    ship_tax = tax_in(cost, ship_rate, prices_include_tax)
    tax = sum((line.tax_amount for line in priced), ZERO) + ship_tax
    total = subtotal - off + cost + (ZERO if prices_include_tax else tax)
    return OrderPrice(lines=tuple(priced), subtotal=subtotal, discount=off, free_shipping=free,
                      shipping=cost, shipping_tax_rate=ship_rate, shipping_tax=ship_tax,
                      tax=tax, taxes=_shares(priced, (ship_rate, cost, ship_tax),
                                             prices_include_tax),
                      total=total, prices_include_tax=prices_include_tax, country=country)


def order_price(order) -> OrderPrice:
    """A placed order's money as price_order gave it, from the order's own snapshot.

    Never recomputed from today's rates or prices. Orders placed before taxes existed have
    no VAT figures (`tax` is None).
    """
    lines = tuple(PricedLine("", ln.unit_price, ln.unit_price_net if ln.unit_price_net
                             is not None else ln.unit_price, ln.quantity,
                             ln.tax_rate or ZERO, ZERO, ln.tax_amount or ZERO, ln.line_total)
                  for ln in order.lines)
    included = bool(order.prices_include_tax)
    ship_rate = order.shipping_tax_rate or ZERO
    ship_tax, taxes = ZERO, ()
    if order.tax_total is not None:
        ship_tax = order.tax_total - sum((ln.tax_amount for ln in lines), ZERO)
        taxes = _shares(lines, (ship_rate, order.shipping_cost, ship_tax), included)
    return OrderPrice(lines=lines, subtotal=order.subtotal, discount=order.discount_total or ZERO,
                      free_shipping=False, shipping=order.shipping_cost,
                      shipping_tax_rate=ship_rate, shipping_tax=ship_tax, tax=order.tax_total,
                      taxes=taxes, total=order.total, prices_include_tax=included,
                      country=order.country)
