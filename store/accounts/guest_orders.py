"""Guest orders joined to the account once its email address is confirmed.

A guest order (no `user_id`) placed with an address belongs to whoever proves they own that
address. Linking sets the order's `user_id`, so the order history and the customer's
statistics (store.accounts.customers) need no email matching of their own. Only a confirmed
address links: an unconfirmed registration must not see someone else's orders.
"""

from __future__ import annotations

from sqlalchemy import func, select

from store.audit import services as audit
from store.database import write_transaction
from store.extensions import db
from store.models import Order, User

LINK_ACTION = "link-account"


def link_guest_orders(user: User, *, keep_request_lock: bool = False) -> int:
    """Link the guest orders placed with the user's confirmed email to them. Commits.

    Returns how many orders were linked (0 when the email is not confirmed, or when every
    such order is already linked). `keep_request_lock` is for Flask-Security's signals.
    """
    with write_transaction(keep_request_lock=keep_request_lock):
        return link_in_transaction(user, actor=user)


def link_in_transaction(user: User, *, actor=None) -> int:
    """Link the guest orders as `link_guest_orders`, in the caller's transaction (no commit).

    Each linked order gets an audit row naming the account and who caused the link (the
    customer confirming, the staff member creating the account, or the system).
    """
    if user.confirmed_at is None or not user.email:
        return 0
    if user.id is None:
        db.session.flush()
    orders = db.session.scalars(
        select(Order)
        .where(Order.user_id.is_(None), func.lower(Order.email) == func.lower(user.email))
        .order_by(Order.id)
        .with_for_update()).all()
    for order in orders:
        order.user_id = user.id
        audit.record(actor, LINK_ACTION, order, {"user_id": [None, user.id]},
                     summary=f"Guest order {order.number} linked to account {user.id}")
    return len(orders)


def on_email_confirmed(_app, user: User, **_extra) -> None:
    """Flask-Security's `user_confirmed` signal: link the now-proven address's orders."""
    link_guest_orders(user, keep_request_lock=True)
