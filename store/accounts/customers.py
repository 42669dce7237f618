"""Customers: order statistics, and the GDPR export and erasure of one customer's data.

Lifetime value counts orders whose money the shop kept: paid, shipped and delivered.
Pending (unpaid), cancelled and refunded orders count towards the number of orders but add
nothing to the value. Statistics follow the account (`Order.user_id`); the export and the
erasure also cover guest orders placed with the same email address, since they are the same
person's data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import case, delete, func, or_, select, update

from store.accounts import erasure
from store.audit import services as audit
from store.database import write_transaction
from store.errors import NotFound, PermissionDenied, ValidationFailed
from store.extensions import db
from store.models import Address, Cart, EmailMessage, Order, SupportTicket, User, WebAuthn
from store.models.analytics import AnalyticsEvent
from store.models.base import utcnow
from store.notifications.outbox import body_without_secrets

# Orders whose money counts: also the dashboard's revenue (store.reports.services).
REVENUE_STATUSES = ("paid", "shipped", "delivered")
ERASED = erasure.ERASED


@dataclass(frozen=True)
class CustomerStats:
    """How much a customer has bought."""

    order_count: int = 0
    lifetime_value: Decimal = Decimal("0.00")
    last_order_at: datetime | None = None


def stats_columns():
    """The aggregate columns (order_count, lifetime_value, last_order_at) over Order rows."""
    value = func.coalesce(
        func.sum(case((Order.status.in_(REVENUE_STATUSES), Order.total), else_=0)), 0)
    return (
        func.count(Order.id).label("order_count"),
        value.label("lifetime_value"),
        func.max(Order.created_at).label("last_order_at"),
    )


def stats_subquery(user_ids=None):
    """One row per customer with orders: user_id and the aggregate columns, for joins."""
    query = select(Order.user_id, *stats_columns()).where(Order.user_id.is_not(None))
    if user_ids is not None:
        query = query.where(Order.user_id.in_(user_ids))
    return query.group_by(Order.user_id).subquery("customer_stats")


def customer_stats(user_ids) -> dict[int, CustomerStats]:
    """Order count, lifetime value and last order date for many customers, in one query."""
    user_ids = [int(i) for i in user_ids]
    if not user_ids:
        return {}
    query = (select(Order.user_id, *stats_columns())
             .where(Order.user_id.in_(user_ids))
             .group_by(Order.user_id))
    result = {uid: CustomerStats() for uid in user_ids}
    for user_id, count, value, last in db.session.execute(query):
        result[user_id] = CustomerStats(int(count), Decimal(value).quantize(Decimal("0.01")),
                                        last)
    return result


# -- GDPR: export -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _row(obj, *fields: str) -> dict[str, Any]:
    return {field: _plain(getattr(obj, field)) for field in fields}


def _customer(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such customer.")
    return user


def _orders_of(user: User) -> list[Order]:
    """The customer's orders, and guest orders placed with their email address."""
    return list(db.session.scalars(
        select(Order).where(or_(
            Order.user_id == user.id,
            (Order.user_id.is_(None)) & (func.lower(Order.email) == user.email.lower()),
        )).order_by(Order.created_at, Order.id)))


def _tickets_of(user: User) -> list[SupportTicket]:
    return list(db.session.scalars(
        select(SupportTicket).where(or_(
            SupportTicket.user_id == user.id,
            func.lower(SupportTicket.email) == user.email.lower(),
        )).order_by(SupportTicket.id)))


def _emails_to(user: User, orders: list[Order]) -> list[EmailMessage]:
    """Outbox messages addressed to the customer, or about one of their orders."""
    address = user.email.lower()
    pattern = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    order_ids = [o.id for o in orders]
    clauses = [func.lower(EmailMessage.recipients).like(pattern, escape="\\")]
    if order_ids:
        clauses.append(EmailMessage.order_id.in_(order_ids))
    messages = db.session.scalars(
        select(EmailMessage).where(or_(*clauses)).order_by(EmailMessage.id))
    # LIKE may match a longer address ("ann@x.com" in "joann@x.com"): keep exact recipients.
    return [m for m in messages
            if m.order_id in order_ids
            or address in (r.strip().lower() for r in m.recipients.split(","))]


def export_customer(user_id: int, *, actor=None) -> dict[str, Any]:
    """Everything stored about one customer, as a JSON-ready dict (the GDPR export).

    With an `actor` (staff exporting from the back office) the export is written to the
    audit log, in a transaction of its own that reads the data too. Commits then.
    """
    if actor is None:
        return _export(_customer(user_id))
    with write_transaction():
        data = _export(_customer(user_id))
        audit.record(actor, "export", db.session.get(User, user_id), {},
                     summary=f"GDPR export of customer {user_id}")
    return data


def _export(user: User) -> dict[str, Any]:
    orders = _orders_of(user)
    cart = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    return {
        "exported_at": utcnow().isoformat(),
        "shop": current_app.config["STORE_NAME"],
        "account": {
            **_row(user, "id", "email", "full_name", "locale", "active", "confirmed_at",
                   "create_datetime", "update_datetime", "last_login_at", "current_login_at",
                   "last_login_ip", "current_login_ip", "login_count", "tf_primary_method",
                   "erased_at"),
            "roles": [role.name for role in user.roles],
        },
        "addresses": [
            _row(a, "id", "full_name", "address_line1", "address_line2", "city",
                 "postal_code", "country", "phone", "created_at")
            for a in user.addresses
        ],
        "orders": [
            {
                **_row(o, "number", "status", "email", "full_name", "address_line1",
                       "address_line2", "city", "postal_code", "country", "phone",
                       "shipping_method", "payment_method", "currency", "subtotal",
                       "shipping_cost", "total", "carrier", "tracking_number", "created_at",
                       "paid_at", "shipped_at", "delivered_at", "cancelled_at",
                       "refunded_at"),
                "lines": [_row(line, "product_name", "sku", "options", "unit_price",
                               "quantity", "line_total") for line in o.lines],
                "history": [_row(e, "from_status", "to_status", "created_at")
                            for e in o.events],
            }
            for o in orders
        ],
        "cart": [
            {"sku": line.variant.sku, "product": str(line.variant), "quantity": line.quantity,
             "price_seen": _plain(line.price_seen)}
            for line in (cart.lines if cart else [])
        ],
        "support_tickets": [
            {
                **_row(t, "id", "name", "email", "message", "status", "created_at"),
                "order": t.order.number if t.order else None,
                "replies": [_row(r, "body", "created_at") for r in t.replies],
            }
            for t in _tickets_of(user)
        ],
        # No live links or codes: whoever holds the export must not be able to sign in.
        "emails": [
            {**_row(m, "kind", "recipients", "subject", "status", "created_at", "sent_at"),
             "body_text": body_without_secrets(m)}
            for m in _emails_to(user, orders)
        ],
    }


# -- GDPR: erasure ----------------------------------------------------------------------------


def erased_email(user_id: int) -> str:
    """The placeholder address an erased customer's records carry."""
    return f"erased-{user_id}@invalid"


def erase_customer(user_id: int, *, actor=None) -> User:
    """Anonymise a customer's personal data and close the account; order totals stay. Commits.

    Names, addresses, phone numbers, email addresses (account, orders, tickets) and
    message bodies are replaced; saved addresses, the cart and security keys are deleted;
    mail, order notes and the audit log lose every mention of them (store.accounts.erasure:
    staff keep their mail, without the customer in it); unsent email about them is
    cancelled. Orders keep their number, lines, totals, status and country, as the books
    need them. The erasure is logged in the audit log
    without any of the erased data, in the same transaction; `actor` is who erases (a User:
    staff with customers-manage, or the customer themselves; None for a command-line erasure).
    """
    with write_transaction():
        # Staff need the permission; customers may erase themselves (store.accounts.deletion).
        if (actor is not None and getattr(actor, "id", None) != user_id
                and not actor.has_permission("customers-manage")):
            raise PermissionDenied("You cannot erase customer data.")
        user = _customer(user_id)
        if user.erased_at is not None:
            raise ValidationFailed(f"Customer {user_id} was already erased.")
        if user.has_permission("admin-access"):
            raise ValidationFailed("Only customer accounts can be erased; remove the "
                                   "back-office roles first.")
        placeholder = erased_email(user.id)
        orders = _orders_of(user)
        tickets = _tickets_of(user)
        # Read who they are before their records change: mail, notes and the audit log
        # are searched for these details.
        who = erasure.person(user, orders, tickets, placeholder)

        for order in orders:
            order.email = placeholder
            order.full_name = ERASED
            order.address_line1 = ERASED
            order.address_line2 = ""
            order.city = ""
            order.postal_code = ""
            order.phone = ""
        for ticket in tickets:
            ticket.name = ERASED
            ticket.email = placeholder
            ticket.message = ERASED
            for reply in ticket.replies:
                reply.body = ERASED
        erasure.erase_traces(who)
        db.session.execute(delete(Address).where(Address.user_id == user.id))
        db.session.execute(delete(Cart).where(Cart.user_id == user.id))
        db.session.execute(delete(WebAuthn).where(WebAuthn.user_id == user.id))
        # Their shop visits stay in the figures, no longer tied to them.
        db.session.execute(update(AnalyticsEvent).where(AnalyticsEvent.user_id == user.id)
                           .values(user_id=None))

        user.email = placeholder
        user.username = None
        user.full_name = None
        user.active = False
        user.erased_at = utcnow()
        # An unusable password and a new uniquifier end every session and sign-in.
        user.password = None
        user.fs_uniquifier = secrets.token_hex(32)
        user.tf_primary_method = None
        user.tf_totp_secret = None
        user.tf_phone_number = None
        user.us_phone_number = None
        user.us_totp_secrets = None
        user.mf_recovery_codes = None
        user.last_login_ip = None
        user.current_login_ip = None
        db.session.expire(user, ["addresses"])

        audit.record(actor, "erase", user, {"erased_at": [None, user.erased_at.isoformat()]},
                     summary=f"Customer {user.id} erased ({len(orders)} orders kept)")
    return user
