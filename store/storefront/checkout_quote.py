"""GET /checkout/quote: the cart priced for a country and shipping method, as JSON.

The checkout island (frontend/checkout.js) asks it when the customer changes the country or
the method, and prints the delivery choices and totals it returns; nothing is stored.
"""

from flask import jsonify, render_template, request
from flask_babel import gettext as _

from store.cart import services as carts
from store.errors import ValidationFailed
from store.i18n import money
from store.pricing import shipping
from store.storefront.blueprint import bp
from store.storefront.cart import cart_owner, customer_email
from store.storefront.cart_json import error


def _country() -> str | None:
    """The country asked for, when the shop delivers there; None otherwise."""
    code = (request.args.get("country") or "").strip().upper()[:2]
    if code not in shipping.known_countries():
        return None
    try:
        shipping.zone_for(code)
    except ValidationFailed:
        return None
    return code


@bp.get("/checkout/quote")
def checkout_quote():
    """The delivery choices, their prices and the totals for ?country=&method= (and an
    optional ?discount_code=), priced by the same function as the order."""
    country = _country()
    if country is None:
        return error(_("We do not deliver to this country."))
    cart = carts.find_cart(cart_owner())
    if cart is None or not cart.lines:
        return error(_("Your cart is empty."))
    code = request.args.get("discount_code")
    discount, problem = carts.cart_discount(
        cart, email=customer_email(),
        code=code[:40] if code is not None else getattr(cart, "discount_code", "") or "")
    subtotal = carts.summarize(cart, country=country, discount=discount).subtotal
    offered = shipping.options(subtotal, country=country, weight=shipping.cart_weight(
        [line for line in cart.lines if line.variant.active and line.variant.product.active]))
    codes = [option.code for option in offered]
    method = request.args.get("method") if request.args.get("method") in codes else None
    method = method or (codes[0] if codes else "standard")
    summary = carts.summarize(cart, method, country=country, discount=discount)
    totals_html = render_template(
        "storefront/_totals.html", price=summary.price, currency=None, shipping_caption=None,
        total_label=shipping.shipping_label(method, "total"), total_class="checkout-total",
        discount_code=discount.code if discount else None)
    return jsonify(
        country=country,
        country_hint=_("Delivery options and prices to %(country)s.",
                       country=shipping.country_name(country)),
        methods=[{"code": option.code,
                  "label": f"{option.label} · {money(option.cost) if option.cost else _('Free')}",
                  "price": money(option.cost)} for option in offered],
        method=method,
        total=money(summary.total),
        totals_html=totals_html,
        discount_problem=problem,
    )

