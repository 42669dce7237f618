"""Back-office refunds: the order page's Refund card, its confirmation step and the refund.

Staff choose lines, quantities, restocking and shipping; the confirmation page shows exactly
what will go back and to which payment method; "Confirm refund" calls
store.orders.refunds.refund_order, the only code that refunds. Nothing changes before that.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from store import payments
from store.errors import PaymentError, StoreError, ValidationFailed
from store.extensions import db
from store.models import Order
from store.orders.refund_amounts import Refundable, refundable
from store.orders.refunds import LineChoice, parse_amount, plan_refund, refund_order

REFUND_VIEWS = {"refund_view": "orders-manage", "refund_confirm_view": "orders-manage"}


class RefundForm(FlaskForm):
    """The CSRF token of the refund forms; lines and amounts are read by name."""


def refund_state(order: Order) -> Refundable:
    """What the order page's Refund card offers."""
    return refundable(order)


def order_timeline(order: Order) -> list[tuple]:
    """Status changes and refunds of an order, oldest first: ("event"|"refund", object).

    Refunds are merged into the order page's timeline by time (no extra event rows).
    """
    entries = [(event.created_at, "event", event) for event in order.events]
    entries += [(refund.created_at, "refund", refund) for refund in order.refunds]
    return [(kind, obj) for _when, kind, obj in sorted(
        entries, key=lambda e: (e[0].replace(tzinfo=None), e[1] == "event"))]


def _quantity(raw: str, sku: str) -> int:
    text = (raw or "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(f"{sku}: {text!r} is not a number of units.") from None


def _choices(order: Order, form, *, everything: bool) -> tuple[list[LineChoice], Decimal]:
    """Staff's choice from the posted fields: qty-<line id>, restock-<line id>, shipping.

    A line id that is not this order's is refused by plan_refund.
    """
    left = refundable(order)
    if everything:
        choices = [LineChoice(entry.line.id, entry.quantity_left,
                              bool(form.get(f"restock-{entry.line.id}")))
                   for entry in left.lines if entry.quantity_left]
        return choices, left.shipping_left
    choices = []
    for key in form:
        if not key.startswith("qty-"):
            continue
        try:
            line_id = int(key[4:])
        except ValueError:
            raise ValidationFailed("One of the lines is not a line of this order.") from None
        entry = left.by_id.get(line_id)
        quantity = _quantity(form.get(key), entry.line.sku if entry else key[4:])
        if quantity:
            choices.append(LineChoice(line_id, quantity, bool(form.get(f"restock-{line_id}"))))
        elif quantity < 0:
            raise ValidationFailed("A quantity cannot be negative.")
    return choices, parse_amount(form.get("shipping"))


class RefundViews:
    """Mixed into OrderAdmin: the refund form's two steps."""

    def _refund_back(self, order_id: int):
        return redirect(url_for(".details_view", id=order_id) + "#refund")

    def _refund_order(self, order_id: int) -> Order | None:
        order = self.get_one(order_id)
        if order is None:
            flash("There is no such order.", "error")
        return order

    def _posted_refund(self, order_id):
        """The order a refund form was posted for, or the redirect that refuses the post
        (expired form, unknown order)."""
        if not RefundForm().validate():
            flash("Nothing refunded: the form expired; please try again.", "error")
            return None, self._refund_back(order_id)
        order = self._refund_order(order_id)
        if order is None:
            return None, redirect(url_for(".index_view"))
        return order, None

    @expose("/<int:order_id>/refund", methods=("POST",))
    def refund_view(self, order_id):
        """Step 1: check the chosen refund and show what it will do."""
        order, refused = self._posted_refund(order_id)
        if refused is not None:
            return refused
        try:
            choices, shipping = _choices(order, request.form,
                                         everything=bool(request.form.get("everything")))
            plan = plan_refund(order, choices, shipping)
        except StoreError as exc:
            db.session.rollback()
            flash(f"Nothing refunded: {exc.message}", "error")
            return self._refund_back(order_id)
        provider = payments.provider_for(order)
        return self.render("admin/order/refund_confirm.html", order=order, plan=plan,
                           form=RefundForm(formdata=None), provider=provider,
                           reason=(request.form.get("reason") or "").strip()[:2000],
                           reference=(request.form.get("reference") or "").strip()[:255])

    @expose("/<int:order_id>/refund/confirm", methods=("POST",))
    def refund_confirm_view(self, order_id):
        """Step 2: make the refund through the order's payment provider."""
        order, refused = self._posted_refund(order_id)
        if refused is not None:
            return refused
        try:
            choices, shipping = _choices(order, request.form, everything=False)
            db.session.rollback()  # the service locks and reads the order afresh
            refund = refund_order(order_id, choices, shipping=shipping,
                                  reason=request.form.get("reason", ""),
                                  reference=request.form.get("reference", ""),
                                  actor=current_user)
        except PaymentError as exc:
            db.session.rollback()
            flash(f"Nothing refunded: the payment provider refused: {exc.message}", "error")
            return self._refund_back(order_id)
        except StoreError as exc:
            db.session.rollback()
            flash(f"Nothing refunded: {exc.message}", "error")
            return self._refund_back(order_id)
        if refund.status == "succeeded":
            flash(Markup("Refunded {} {} on order {}.").format(
                refund.amount, refund.order.currency, refund.order.number), "success")
        else:
            flash(f"Refund of {refund.amount} sent; waiting for the payment provider to "
                  "confirm it.", "info")
        return self._refund_back(order_id)
