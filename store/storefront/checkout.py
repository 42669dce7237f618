"""Checkout pages: the form, placing the order, and the way back from Stripe."""

from decimal import Decimal

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store.accounts.addresses import default_address
from store.cart import services as carts
from store.checkout import services as checkout
from store.database import reads_before_its_write
from store.errors import (
    EmptyCart,
    NotFound,
    OutOfStock,
    PaymentError,
    StoreError,
    ValidationFailed,
)
from store.extensions import csrf, limiter
from store.i18n import current_locale
from store.orders.access import access_values, find_order_for_viewer, order_url
from store.payments import get_provider
from store.payments import stripe_webhook as stripe_events
from store.pricing import shipping
from store.storefront.blueprint import bp
from store.storefront.cart import cart_owner, customer_email, form_error
from store.storefront.forms import CheckoutForm


def checkout_limit() -> str:
    """How often one session or account may post checkout (and pay-again) forms."""
    return current_app.config.get("STORE_CHECKOUT_LIMIT", "10/minute;60/hour")


def checkout_address_limit() -> str:
    """How often one client address may post them, however many cookies it drops."""
    return current_app.config.get("STORE_CHECKOUT_LIMIT_PER_ADDRESS", "30/minute;200/hour")


def client_address() -> str:
    """The rate-limit key of the client's address (not its session)."""
    return f"checkout-addr:{request.remote_addr}"


def _country(form, addresses) -> str:
    """The country the order summary is priced for: the one chosen, else the default (or
    newest) saved address's, else the shop's default."""
    if request.method == "POST":
        chosen = next((a for a in addresses if a.id == form.address_id.data), None)
        country = chosen.country if chosen else str(form.country.data or "").upper()
    else:
        preferred = default_address(addresses)
        country = preferred.country if preferred else ""
    if country in shipping.allowed_countries():
        return country
    return shipping.default_country()  # the form itself reports a country we cannot use


def _summary(cart, method, country, discount=None):
    """The cart priced for the country; with a method that country's zone does not offer
    (the form reports it), priced with the zone's first method instead."""
    try:
        return carts.summarize(cart, method, country=country, discount=discount)
    except ValidationFailed:
        offered = [option.code for option in shipping.options(Decimal("0"), country=country)]
        return carts.summarize(cart, offered[0] if offered else method, country=country,
                               discount=discount)


def _discount(form, cart):
    """The discount of the code in the form (on GET, the one remembered on the cart); a
    code that does not apply is reported on its field."""
    if request.method == "GET":
        form.discount_code.data = getattr(cart, "discount_code", None) or ""
    email = form.email.data if request.method == "POST" else customer_email()
    discount, problem = carts.cart_discount(cart, email=email or None,
                                            code=form.discount_code.data or "")
    if problem:
        form.discount_code.errors = [problem]
    return discount


def _render(form, summary, addresses, status=200):
    return render_template("storefront/checkout.html", form=form, summary=summary,
                           addresses=addresses), status


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit(checkout_limit, methods=["POST"])
@limiter.limit(checkout_address_limit, methods=["POST"], key_func=client_address)
def checkout_page():
    """GET: the checkout form. POST: place the order and go to it (or to the payment page)."""
    # Placing the order takes the write lock itself (on SQLite): checking the form before
    # does not hold up the other buyers.
    reads_before_its_write()
    owner = cart_owner()
    user_id = owner.user_id
    addresses = checkout.addresses_of(user_id) if user_id else []
    form = CheckoutForm()
    method = form.shipping_method.data if request.method == "POST" else "standard"
    cart = carts.find_cart(owner, images=False)  # the checkout page shows none
    summary = _summary(cart, method, _country(form, addresses), _discount(form, cart))
    weight = shipping.cart_weight(summary.cart.lines if summary.cart is not None else [])
    form.set_choices(summary.subtotal, addresses, weight=weight,
                     country=form.country.data if request.method == "POST" else None)
    if request.method == "GET":
        if summary.is_empty:
            flash(_("Your cart is empty."), "error")
            return redirect(url_for("storefront.cart"))
        form.checkout_token.data = checkout.new_checkout_token()
        if current_user.is_authenticated:
            form.email.data = current_user.email
            form.full_name.data = current_user.full_name or ""
            if addresses:
                form.address_id.data = default_address(addresses).id
        return _render(form, summary, addresses)

    if user_id and form.address_id.data:
        try:
            form.use_address(checkout.saved_address(user_id, form.address_id.data))
            form.set_methods(summary.subtotal, form.country.data, weight)
        except NotFound as exc:
            form.address_id.errors = [exc.message]
            return _render(form, summary, addresses, 400)
    if not form.validate():
        if form.csrf_token.errors:
            flash(form_error(form), "error")
        return _render(form, summary, addresses, 400)
    details = checkout.CheckoutDetails(
        email=form.email.data, full_name=form.full_name.data,
        address_line1=form.address_line1.data, address_line2=form.address_line2.data or "",
        city=form.city.data, postal_code=form.postal_code.data, country=form.country.data,
        phone=form.phone.data or "", shipping_method=form.shipping_method.data,
        payment_method=form.payment_method.data,
        save_address=bool(form.save_address.data) and not form.address_id.data,
        discount_code=form.discount_code.data or "")
    try:
        order = checkout.place_order(owner, details, checkout_token=form.checkout_token.data,
                                     locale=current_locale(),
                                     client_address=request.remote_addr)
    except (EmptyCart, OutOfStock) as exc:
        flash(exc.message, "error")
        return redirect(url_for("storefront.cart"), 303)
    except StoreError as exc:
        field = exc.details.get("field")
        if field and field in form:
            form[field].errors = [exc.message]
        else:
            flash(exc.message, "error")
        return _render(form, summary, addresses, 400)
    return after_placing(order)


def after_placing(order):
    """Send the customer to pay online, or straight to the order page."""
    provider = get_provider(order.payment_method)
    if provider.online and order.status == "pending":
        try:
            target = provider.start_payment(order)
        except PaymentError as exc:
            flash(exc.message, "error")
            return redirect(order_url(order), 303)
        if target:
            return redirect(target, 303)
    flash(_("Thank you! Your order %(number)s is placed.", number=order.number), "success")
    return redirect(order_url(order), 303)


@bp.get("/payments/stripe/return")
def stripe_return():
    """Back from Stripe's page: say what happened and show the order (changes nothing)."""
    try:
        order = find_order_for_viewer(request.args.get("order", ""), request.args.get("token"))
    except NotFound:
        abort(404)
    if request.args.get("status") == "cancelled":
        flash(_("The payment was not completed. Your order is kept for a while: you can pay "
                "from this page."), "warning")
    elif order.status == "pending":
        flash(_("Thank you! We are confirming your payment; this page will show it shortly."),
              "success")
    return redirect(url_for("storefront.order_detail", number=order.number,
                            **access_values(order)), 303)


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's signed notifications: a paid Checkout Session marks its order paid."""
    try:
        event = stripe_events.verify_event(request.get_data(),
                                           request.headers.get("Stripe-Signature"))
    except PaymentError as exc:
        return jsonify(error=exc.message), 400
    outcome = stripe_events.handle_event(event)
    return jsonify(received=True, outcome=outcome)
