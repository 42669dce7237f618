"""Who may see an order: its signed-in owner, or a guest holding the signed link.

`may_view()` is the one rule; the order page, cancelling, paying, the payment return and
support tickets all ask it.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from store.errors import NotFound
from store.extensions import db
from store.models import Order

SALT = "order-access"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def access_token(order: Order) -> str:
    """The signed token that opens a guest's order page (sent in the confirmation email)."""
    return _serializer().dumps(order.number)


def token_matches(number: str, token: str | None) -> bool:
    """True when `token` was signed by this shop for order `number`."""
    if not token:
        return False
    try:
        return _serializer().loads(token) == number
    except BadSignature:
        return False


def build_url(endpoint: str, *, _external: bool = False, **values) -> str:
    """A URL for an endpoint, in or out of a request (emails, commands).

    External URLs start with STORE_URL, never with the Host header a request came with.
    """
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        adapter = current_app.url_map.bind("localhost")
        path = adapter.build(endpoint, values)
    if _external:
        return current_app.config["STORE_URL"].rstrip("/") + path
    return path


def access_values(order: Order) -> dict:
    """The query values that let this order's viewer in: a token for guests, none otherwise."""
    return {} if order.user_id is not None else {"token": access_token(order)}


def order_url(order: Order, _external: bool = False) -> str:
    """The order page: a plain URL for a customer's order, a signed link for a guest's."""
    return build_url("storefront.order_detail", _external=_external, number=order.number,
                     **access_values(order))


def may_view(order: Order, user=None, *, token: str | None = None,
             email: str | None = None) -> bool:
    """Whether this viewer may see (and act on) this order.

    A customer's order is open to that customer signed in; a guest order to whoever holds
    its signed token. `email` is a weaker proof that only a support ticket accepts: the
    guest order was placed with that address (linking a ticket reveals nothing).
    """
    if order.user_id is not None:
        return bool(getattr(user, "is_authenticated", False)) and user.id == order.user_id
    if token_matches(order.number, token):
        return True
    return email is not None and order.email.lower() == email.strip().lower()


def clean_number(number: str | None) -> str:
    """An order number as typed, in the form it is stored in (upper case, bounded)."""
    return (number or "").strip().upper()[:16]


def find_order_for_viewer(number: str, token: str | None = None, user=None) -> Order:
    """The order if the viewer may see it (owner signed in, or guest with its token).

    Anyone else gets NotFound, exactly as for an order that does not exist.
    """
    if user is None:
        user = current_user
    order = db.session.scalar(
        select(Order).where(Order.number == clean_number(number))
        .options(selectinload(Order.lines), selectinload(Order.events))
    )
    if order is None or not may_view(order, user, token=token):
        raise NotFound(_("There is no such order."))
    return order


def orders_of(user, *, before: int | None = None, limit: int = 20) -> list[Order]:
    """Up to `limit` of the user's own orders, newest first, with ids below `before` (pages)."""
    stmt = select(Order).where(Order.user_id == user.id)
    if before is not None:
        stmt = stmt.where(Order.id < before)
    return list(db.session.scalars(stmt.options(selectinload(Order.lines))
                                   .order_by(Order.id.desc()).limit(limit)))


def order_by_number(number: str) -> Order:
    """Any order by its number, for staff (who may act on every order); NotFound otherwise."""
    order = db.session.scalar(select(Order).where(Order.number == clean_number(number))
                              .options(selectinload(Order.lines)))
    if order is None:
        raise NotFound("There is no such order.")
    return order
