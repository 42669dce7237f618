"""Cart pages: show the cart, add, change and remove lines; the header's item count."""

from flask import (
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from store.cart import services as carts
from store.errors import StoreError
from store.orders.carriers import carrier_name
from store.payments import payment_label
from store.pricing import shipping, taxes, totals
from store.storefront import cart_json
from store.storefront.blueprint import bp
from store.storefront.forms import CartAddForm, CartDiscountForm, CartUpdateForm

SESSION_KEY = "cart_token"
# Per request (not `g`, which a test's app context shares between requests).
COUNT_KEY = "store.cart_count"

# The quantity inputs show the cap the cart service enforces, from its one definition.
bp.add_app_template_global(carts.MAX_LINE_QUANTITY, "max_line_quantity")
# Cart, checkout, order and back-office pages name shipping methods through one function.
bp.add_app_template_global(shipping.shipping_label, "shipping_label")
# VAT rates as printed ("21", "25,5"), and a placed order's money from its snapshot (the
# back office's order page shows it too).
bp.add_app_template_global(taxes.format_rate, "rate_label")
bp.add_app_template_global(totals.order_price, "order_price")
# Customers (and the back office's order page) read names, never codes: the carrier's name
# and the payment method's, in the reader's language (countries: the country_name filter).
bp.add_app_template_global(carrier_name, "carrier_name")
bp.add_app_template_global(payment_label, "payment_label")


def cart_owner() -> carts.CartOwner:
    """The cart of this request: the signed-in customer's, else this browser session's."""
    if current_user.is_authenticated:
        return carts.CartOwner(user_id=current_user.id)
    return carts.CartOwner(token=session.get(SESSION_KEY))


def _remember(cart) -> None:
    if cart is not None and cart.user_id is None:
        session[SESSION_KEY] = cart.token


def form_error(form) -> str:
    """The first error of a form, as one message."""
    if form.csrf_token.errors:
        return _("Your session expired. Please try again.")
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Please check what you sent and try again.")


def _back(default: str) -> str:
    """Where to return after a form: the page the form came from when it is ours."""
    target = request.referrer or ""
    host = request.host_url.rstrip("/")
    if target.startswith(host + "/"):
        return target[len(host):]
    return default


def customer_email() -> str | None:
    """The signed-in customer's email (a code's per-customer limit counts by it)."""
    return current_user.email if current_user.is_authenticated else None


def _priced_cart():
    """This request's cart priced now, and why its discount code does not apply (or None)."""
    found = carts.find_cart(cart_owner())
    discount, problem = carts.cart_discount(found, email=customer_email())
    summary = carts.summarize(found, discount=discount)
    request.environ[COUNT_KEY] = summary.item_count
    return summary, problem


@bp.get("/cart")
def cart():
    """The cart: lines priced now, notices about price or stock changes, the discount code
    and why it no longer applies, totals."""
    summary, problem = _priced_cart()
    discount_form = CartDiscountForm(formdata=None,
                                     discount_code=getattr(summary.cart, "discount_code", ""))
    if problem:
        discount_form.discount_code.errors = [problem]
    return render_template("storefront/cart.html", summary=summary, form=CartUpdateForm(),
                           discount_form=discount_form,
                           cart_data=cart_json.page_data(summary))


@bp.post("/cart/discount")
def cart_discount():
    """Remember a discount code on the cart (field discount_code), or forget it (remove)."""
    form = CartDiscountForm()
    if not form.validate():
        flash(form_error(form), "error")
        return redirect(url_for("storefront.cart"), 303)
    raw = "" if form.remove.data else form.discount_code.data
    try:
        code = carts.set_discount_code(cart_owner(), raw, email=customer_email())
    except StoreError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The discount code %(code)s is applied.", code=code) if code
              else _("The discount code is removed."), "success")
    return redirect(url_for("storefront.cart"), 303)


@bp.post("/cart/items")
def cart_add():
    """Add a variant to the cart (fields variant_id, quantity); JSON when asked."""
    form = CartAddForm()
    as_json = cart_json.wants_json()
    if not form.validate():
        if as_json:
            return cart_json.error(form_error(form))
        flash(form_error(form), "error")
        return redirect(_back(url_for("storefront.cart")), 303)
    try:
        added = carts.add_item(cart_owner(), form.variant_id.data, form.quantity.data)
    except StoreError as exc:
        if as_json:
            return cart_json.store_error(exc)
        flash(exc.message, "error")
        return redirect(_back(url_for("storefront.cart")), 303)
    _remember(added)
    if as_json:
        summary, _problem = _priced_cart()
        return cart_json.added(summary, form.variant_id.data, _("Added to your cart."))
    flash(_("Added to your cart."), "success")
    return redirect(url_for("storefront.cart"), 303)


@bp.post("/cart/items/<int:line_id>")
def cart_update(line_id):
    """Change the quantity of a cart line; 0 removes it. JSON (the whole cart) when asked."""
    form = CartUpdateForm()
    as_json = cart_json.wants_json()
    if not form.validate():
        if as_json:
            return cart_json.error(form_error(form))
        flash(form_error(form), "error")
        return redirect(url_for("storefront.cart"), 303)
    try:
        carts.update_item(cart_owner(), line_id, form.quantity.data)
    except StoreError as exc:
        if as_json:
            return cart_json.store_error(exc)
        flash(exc.message, "error")
    else:
        if as_json:
            return cart_json.respond(_priced_cart()[0], _("Your cart was updated."))
        flash(_("Your cart was updated."), "success")
    return redirect(url_for("storefront.cart"), 303)


class _CartCount:
    """The header badge's item count, looked up only if a page shows it."""

    def _value(self) -> int:
        if COUNT_KEY not in request.environ:
            owner = cart_owner()
            count = carts.item_count(owner) if (owner.user_id or owner.token) else 0
            request.environ[COUNT_KEY] = count
        return request.environ[COUNT_KEY]

    def __bool__(self) -> bool:
        return self._value() > 0

    def __int__(self) -> int:
        return self._value()

    def __str__(self) -> str:
        return str(self._value())

    def __html__(self) -> str:
        return str(self._value())


@bp.app_context_processor
def _cart_count():
    if not has_request_context():
        return {}
    return {"cart_count": _CartCount()}


@user_logged_in.connect
def _merge_visitor_cart(_app, user, **_extra):
    """A visitor who signs in keeps what they put in their cart."""
    if not has_request_context():
        return
    token = session.pop(SESSION_KEY, None)
    if token:
        carts.merge_into_user(token, user.id)
