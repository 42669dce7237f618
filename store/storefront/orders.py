"""Order pages: confirmation and status, cancelling, paying again, and the order history."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_security import auth_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from store.catalog.services import Page, parse_page
from store.errors import NotFound, StoreError, ValidationFailed
from store.extensions import db, limiter
from store.models import Order
from store.orders import carriers
from store.orders import services as orders
from store.orders.access import access_values, find_order_for_viewer
from store.orders.status import can_cancel_by_customer, status_label
from store.payments import can_pay_online, provider_for
from store.pricing.totals import order_price
from store.storefront.blueprint import bp
from store.storefront.cart import form_error
from store.storefront.checkout import (
    after_placing,
    checkout_address_limit,
    checkout_limit,
    client_address,
)
from store.storefront.forms import ActionForm

HISTORY_PAGE_SIZE = 20


def _viewed_order(number: str, token: str | None) -> Order:
    try:
        return find_order_for_viewer(number, token)
    except NotFound:
        abort(404)


def _order_page(order: Order):
    return redirect(url_for("storefront.order_detail", number=order.number,
                            **access_values(order)), 303)


@bp.get("/orders/<number>")
def order_detail(number):
    """An order's confirmation and status, for the customer who placed it only."""
    order = _viewed_order(number, request.args.get("token"))
    provider = provider_for(order)
    form = ActionForm(token=request.args.get("token", ""))
    return render_template(
        "storefront/order.html", order=order, form=form, provider=provider,
        price=order_price(order),
        instructions=provider.instructions(order, current_app.config) if provider else "",
        can_pay=can_pay_online(order), can_cancel=can_cancel_by_customer(order),
        status_label=status_label,
        tracking_url=carriers.tracking_url(order.carrier, order.tracking_number))


@bp.get("/orders/<number>/cancel")
def order_cancel_confirm(number):
    """Ask before cancelling: what happens to the items and the payment. Changes nothing."""
    order = _viewed_order(number, request.args.get("token"))
    if not can_cancel_by_customer(order):
        flash(_("Only an order awaiting payment can be cancelled here; please contact us."),
              "error")
        return _order_page(order)
    provider = provider_for(order)
    return render_template(
        "storefront/order_cancel.html", order=order, price=order_price(order),
        form=ActionForm(token=request.args.get("token", "")),
        online=bool(provider and provider.online),
        order_page=url_for("storefront.order_detail", number=order.number,
                           **access_values(order)))


@bp.post("/orders/<number>/cancel")
def order_cancel(number):
    """The customer confirmed: cancel their order while it awaits payment; stock goes back."""
    form = ActionForm()
    order = _viewed_order(number, form.token.data)
    if not form.validate():
        flash(form_error(form), "error")
        return _order_page(order)
    try:
        orders.cancel_by_customer(order.number, current_user, token=form.token.data)
    except StoreError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Your order %(number)s is cancelled.", number=order.number), "success")
    return _order_page(order)


@bp.post("/orders/<number>/pay")
@limiter.limit(checkout_limit)
@limiter.limit(checkout_address_limit, key_func=client_address)
def order_pay(number):
    """Try the online payment of a pending order again."""
    form = ActionForm()
    order = _viewed_order(number, form.token.data)
    if not form.validate():
        flash(form_error(form), "error")
        return _order_page(order)
    if not can_pay_online(order):
        flash(_("This order cannot be paid online."), "error")
        return _order_page(order)
    return after_placing(order)


@bp.get("/account/orders")
@auth_required()
def account_orders():
    """The signed-in customer's orders, newest first, with their status."""
    try:
        page = parse_page(request.args.get("page"))
    except ValidationFailed as exc:
        return render_template("errors/error.html", message=exc.message, code=400), 400
    mine = Order.user_id == current_user.id
    total = db.session.scalar(select(func.count(Order.id)).where(mine))
    items = list(db.session.scalars(
        select(Order).where(mine).options(selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(HISTORY_PAGE_SIZE).offset((page - 1) * HISTORY_PAGE_SIZE)))
    results = Page(items=items, page=page, per_page=HISTORY_PAGE_SIZE, total=total)
    if page > results.pages:
        abort(404)
    return render_template("storefront/account_orders.html", results=results,
                           status_label=status_label)
