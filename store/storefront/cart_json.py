"""The cart as JSON for the storefront's scripts: every figure computed and formatted here.

The islands (frontend/cart.js, frontend/add-to-cart.js) ask with `Accept: application/json`
and only print what they get; forms without scripts keep their redirects.
"""

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from store.cart import services as carts
from store.errors import NotFound, OutOfStock, StoreError
from store.i18n import money

# A refused request's status: a missing line or variant, a stock conflict, else bad input.
_STATUS = {NotFound: 404, OutOfStock: 409}


def wants_json() -> bool:
    """Whether the request asks for JSON rather than a page."""
    return request.accept_mimetypes.best == "application/json"


def error(message: str, status: int = 400):
    """A refusal the island shows next to the control."""
    return jsonify(error=message), status


def store_error(exc: StoreError):
    """A service's refusal as JSON, with the status that fits its kind."""
    return error(exc.message, _STATUS.get(type(exc), 400))


def line_notices(line) -> list[str]:
    """Why a line needs attention (the cart page prints the same sentences)."""
    notices = []
    if line.unavailable:
        notices.append(_("This item is no longer for sale. Please remove it to check out."))
    elif line.short_of_stock and line.stock <= 0:
        notices.append(_("Sold out since you added it. Please remove it to check out."))
    elif line.short_of_stock:
        notices.append(ngettext("Only %(num)d left: please lower the quantity.",
                                "Only %(num)d left: please lower the quantity.", line.stock))
    if line.price_changed:
        notices.append(_("The price changed from %(old)s to %(new)s since you added it.",
                         old=money(line.price_seen), new=money(line.unit_price)))
    return notices


def _line(line) -> dict:
    product = line.product
    return {
        "id": line.id,
        "name": product.name,
        "url": url_for("storefront.product_detail", slug=product.slug) if product.active
        else None,
        "label": line.variant.label,
        "sku": line.variant.sku,
        "quantity": line.quantity,
        "unit_price": money(line.unit_price),
        "line_total": money(line.line_total),
        "notices": line_notices(line),
        "update_url": url_for("storefront.cart_update", line_id=line.id),
        "quantity_label": _("Quantity of %(name)s", name=line.name),
    }


def cart_payload(summary, message: str | None = None) -> dict:
    """The cart's lines and totals, formatted for the reader's language."""
    discount = summary.discount
    totals_html = render_template(
        "storefront/_totals.html", price=summary.price, currency=None,
        shipping_caption=_("Shipping (standard)"), total_label=None, total_class="cart-total",
        discount_code=discount.code if discount else None)
    payload = {
        "message": message,
        "count": summary.item_count,
        "empty": summary.is_empty,
        "lines": [_line(line) for line in summary.lines],
        "subtotal": money(summary.subtotal),
        "total": money(summary.total),
        "totals_html": totals_html,
        "problems": bool(summary.problems),
        "max_quantity": carts.MAX_LINE_QUANTITY,
    }
    if summary.is_empty:
        # Only once emptied: the island then shows what the empty cart page says.
        payload["empty_state"] = {"text": _("Your cart is empty."),
                                  "link": _("Browse the catalog"),
                                  "url": url_for("storefront.product_list")}
    return payload


def respond(summary, message: str, status: int = 200):
    """The cart after a change, as JSON."""
    return jsonify(cart_payload(summary, message)), status


def added(summary, variant_id, message: str):
    """The cart after adding a variant, with the line it landed in (for the confirmation)."""
    payload = cart_payload(summary, message)
    payload["added"] = next((line for line, view in zip(payload["lines"], summary.lines,
                                                        strict=True)
                             if str(view.variant.id) == str(variant_id).strip()), None)
    payload["cart_url"] = url_for("storefront.cart")
    payload["checkout_url"] = url_for("storefront.checkout_page")
    return jsonify(payload), 200


def page_data(summary) -> dict:
    """The cart page's data for its island: the cart, and the words its controls use."""
    data = cart_payload(summary)
    data["labels"] = {
        "item": _("Item"), "price": _("Price"), "quantity": _("Quantity"), "total": _("Total"),
        "update": _("Update"), "remove": _("Remove"),
        "fix": _("Please fix the items marked above to check out."),
        "failed": _("Sorry, that did not work. Please try again."),
    }
    return data
