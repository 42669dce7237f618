"""Checkout: turning a cart into an order in one transaction, and expiring unpaid orders."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from store.accounts import addresses
from store.cart.services import CartOwner, display_name, find_cart
from store.checkout import unpaid
from store.database import is_sqlite, row_id, write_transaction
from store.errors import EmptyCart, NotFound, OutOfStock, StoreError, ValidationFailed
from store.extensions import db
from store.inventory import alerts
from store.inventory import services as inventory
from store.models import Address, Order, OrderEvent, OrderLine, Variant
from store.models.base import utcnow
from store.orders import emails as order_emails
from store.orders import services as orders
from store.payments import get_provider
from store.pricing import discounts, shipping
from store.pricing.totals import price_order

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
# (field, max length, required): the address book's, one rule for both
ADDRESS_FIELDS = addresses.FIELDS


@dataclass
class CheckoutDetails:
    """What the checkout form collects (already validated by the form; checked again here)."""

    email: str
    full_name: str
    address_line1: str
    city: str
    postal_code: str
    country: str
    shipping_method: str
    payment_method: str
    address_line2: str = ""
    phone: str = ""
    save_address: bool = False
    discount_code: str = ""


def _clean(details: CheckoutDetails) -> CheckoutDetails:
    """Trim and check every field; ValidationFailed names the first wrong one."""
    values = addresses.clean_fields(
        {name: getattr(details, name) for name, _length, _required in ADDRESS_FIELDS})
    try:
        email = validate_email((details.email or "").strip(),
                               check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationFailed(_("Please enter a valid email address."),
                               field="email") from None
    if details.shipping_method not in shipping.METHODS:
        raise ValidationFailed(_("Please choose a shipping method."), field="shipping_method")
    get_provider(details.payment_method)
    return CheckoutDetails(email=email[:255], shipping_method=details.shipping_method,
                           payment_method=details.payment_method,
                           save_address=bool(details.save_address),
                           discount_code=discounts.normalize(details.discount_code), **values)


def new_checkout_token() -> str:
    """A fresh token for one checkout form (the hidden field that makes placing idempotent)."""
    import secrets

    return secrets.token_urlsafe(24)


def _existing(token: str, user_id: int | None) -> Order | None:
    order = db.session.scalar(select(Order).where(Order.checkout_token == token))
    if order is not None and order.user_id != user_id:
        raise NotFound(_("There is no such order."))
    return order


def _unique_number() -> str:
    """A new order number, drawn again on the (very unlikely) collision."""
    for _attempt in range(10):
        number = orders.new_order_number()
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number
    raise StoreError("Could not draw a free order number.")  # pragma: no cover


def _stock_message(variant_id: int, names: dict[int, str]) -> str:
    stock = db.session.scalar(select(Variant.stock).where(Variant.id == variant_id)) or 0
    name = names.get(variant_id, "")
    if stock <= 0:
        return _("Sorry, “%(name)s” is sold out. Please remove it from your cart to "
                 "continue.", name=name)
    return _("Only %(stock)d of “%(name)s” left. Please lower the quantity in your cart "
             "to continue.", stock=stock, name=name)


def place_order(owner: CartOwner, details: CheckoutDetails, *, checkout_token: str,
                locale: str = "en", client_address: str | None = None) -> Order:
    """Place the owner's cart as an order, in one transaction. Commits.

    Prices come from the database, never from the form. Stock for every line is reserved
    with an atomic conditional update, in variant order; if any line lacks stock nothing is
    reserved and OutOfStock names the line. The order gets a random number, line snapshots,
    its first event and its queued confirmation; the cart is emptied. Submitting the same
    form again (same checkout_token) returns the order already placed. An email or client
    address already holding the most unpaid orders is refused (TooManyUnpaidOrders).
    """
    if not checkout_token or not _TOKEN.match(checkout_token):
        raise ValidationFailed(_("This checkout form has expired. Please check the details "
                                 "and place the order again."))
    details = _clean(details)
    provider = get_provider(details.payment_method)
    key = unpaid.client_key(client_address)
    try:
        with write_transaction():
            existing = _existing(checkout_token, owner.user_id)
            if existing is not None:
                return existing
            # Locked: two tabs checking out one cart at once make one order, not two.
            cart = find_cart(owner, lock=True, images=False)
            # The same form's twin request may have placed it while this one waited for the
            # cart's lock (PostgreSQL; on SQLite the first look already held the write lock).
            if not is_sqlite():
                existing = _existing(checkout_token, owner.user_id)
                if existing is not None:
                    return existing
            unpaid.check_unpaid_caps(details.email, key)
            order = _create_order(owner, cart, details, provider, checkout_token, locale, key)
    except IntegrityError:
        # The same form submitted twice at once (PostgreSQL): the other request placed it.
        db.session.rollback()
        existing = _existing(checkout_token, owner.user_id)
        if existing is None:
            raise
        return existing
    return order


def _create_order(owner: CartOwner, cart, details: CheckoutDetails, provider,
                  checkout_token: str, locale: str, client_key: str | None) -> Order:
    if cart is None or not cart.lines:
        raise EmptyCart(_("Your cart is empty."))
    names = {line.variant_id: display_name(line.variant) for line in cart.lines}
    for line in cart.lines:
        if not (line.variant.active and line.variant.product.active):
            raise ValidationFailed(_("“%(name)s” is no longer for sale. Please remove it from "
                                     "your cart to continue.", name=names[line.variant_id]),
                                   variant_id=line.variant_id)
    lines = [(line.variant, line.variant.price, line.quantity) for line in cart.lines]
    discount = discounts.resolve_code(details.discount_code, lines, email=details.email,
                                      user_id=owner.user_id) if details.discount_code else None
    price = price_order(lines, country=details.country, discount=discount,
                        shipping_method=details.shipping_method,
                        weight=shipping.cart_weight(cart.lines))
    now = utcnow()
    order = Order(
        number=_unique_number(), checkout_token=checkout_token, user_id=owner.user_id,
        email=details.email, status="pending", locale=locale,
        currency=current_app.config["STORE_CURRENCY"],
        full_name=details.full_name, address_line1=details.address_line1,
        address_line2=details.address_line2, city=details.city,
        postal_code=details.postal_code, country=details.country, phone=details.phone,
        shipping_method=details.shipping_method, payment_method=provider.code,
        subtotal=price.subtotal, discount_total=price.discount, shipping_cost=price.shipping,
        discount_code=discount.code if discount else None,
        tax_total=price.tax, shipping_tax_rate=price.shipping_tax_rate,
        prices_include_tax=price.prices_include_tax, total=price.total,
        created_at=now, payment_due_at=unpaid.payment_due(provider, now), client_key=client_key,
    )
    db.session.add(order)
    db.session.flush()
    try:
        taken = inventory.reserve(((line.variant_id, line.quantity) for line in cart.lines),
                                  order_id=order.id, user_id=owner.user_id)
    except OutOfStock as exc:
        variant_id = exc.details.get("variant_id")
        raise OutOfStock(_stock_message(variant_id, names), variant_id=variant_id) from exc
    if discount is not None:
        discounts.claim_use(discount, order, details.email, owner.user_id)
    # Added, not appended: order.lines is not loaded, and appending would load it.
    # One INSERT for the lines (order.lines is not loaded: appending would load it).
    db.session.execute(insert(OrderLine), [dict(
        order_id=order.id, variant_id=line.variant_id, product_name=line.variant.product.name,
        sku=line.variant.sku, options=dict(line.variant.options or {}),
        unit_price=priced.unit_price, quantity=line.quantity, line_total=priced.line_total,
        unit_price_net=priced.unit_price_net, tax_rate=priced.tax_rate,
        tax_amount=priced.tax_amount)
        for line, priced in zip(cart.lines, price.lines, strict=True)])
    db.session.add(OrderEvent(order_id=order.id, from_status=None, to_status="pending",
                              note="Order placed", user_id=owner.user_id))
    if details.save_address and owner.user_id is not None:
        _save_address(owner.user_id, details)
    cart_lines = list(cart.lines)
    for line in cart_lines:
        cart.lines.remove(line)
    cart.discount_code = None
    order_emails.order_placed(order)
    alerts.low_stock_after_sale({line.variant_id: (line.variant, line.quantity)
                                 for line in cart_lines}, taken)
    return order


def _save_address(user_id: int, details: CheckoutDetails) -> None:
    fields = {name: getattr(details, name) for name, _n, _r in ADDRESS_FIELDS}
    # Compared after decryption: the columns are encrypted, so SQL cannot match them.
    if not any(all(getattr(a, k) == v for k, v in fields.items()) for a in addresses_of(user_id)):
        db.session.add(Address(user_id=user_id, **fields))


def saved_address(user_id: int, address_id) -> Address:
    """One of the customer's saved addresses; NotFound for anyone else's."""
    address_id = row_id(address_id)
    address = db.session.scalar(
        select(Address).where(Address.id == address_id, Address.user_id == user_id))
    if address is None:
        raise NotFound(_("That address is not one of yours."), field="address_id")
    return address


def addresses_of(user_id: int) -> list[Address]:
    """A customer's saved addresses, oldest first."""
    return list(db.session.scalars(
        select(Address).where(Address.user_id == user_id).order_by(Address.id)))


def expire_unpaid(now=None) -> int:
    """Cancel orders (online or manual payment) still unpaid after their due time, returning
    their stock.

    Each order is its own transaction through the order service, so a run that stops halfway
    loses nothing and running it again (from cron or a loop) is safe. Returns how many
    orders were cancelled.
    """
    now = now or utcnow()
    due = (Order.status == "pending") & Order.payment_due_at.is_not(None) \
        & (Order.payment_due_at <= now)
    ids = list(db.session.scalars(select(Order.id).where(due).order_by(Order.id)))
    db.session.rollback()  # end the read; each order gets its own write transaction
    cancelled = 0
    for order_id in ids:
        try:
            with write_transaction():
                order = db.session.scalar(
                    select(Order).where(Order.id == order_id, due).with_for_update())
                if order is None:  # paid or cancelled meanwhile
                    continue
                orders.apply_transition(order, "cancelled", stock_reason="expired",
                                        note="Payment not received in time")
            cancelled += 1
        except StoreError as exc:
            log.warning("could not expire order %s: %s", order_id, exc.message)
    return cancelled
