"""Support: tickets from the contact form, staff replies and ticket status.

A ticket is linked to an order only when the order is the customer's own (theirs when
signed in, or a guest order placed with the same email); any other number is simply not
linked, and nothing about it is revealed to the person asking.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from store.audit import services as audit
from store.database import write_transaction
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.models import Order, SupportReply, SupportTicket, User
from store.notifications.outbox import (
    N_,
    external_url,
    request_locale,
    send_templated,
    send_to_staff,
)
from store.orders.access import clean_number, may_view

MAX_MESSAGE = 5000
MAX_REPLY = 10000

ACK_SUBJECT = N_("We received your message (ticket #%(ticket)s)")
STAFF_SUBJECT = N_("Support request #%(ticket)s from %(name)s")
REPLY_SUBJECT = N_("Re: your message (ticket #%(ticket)s)")


def _clean_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed(_("Please enter a valid email address."), field="email") from exc


def customer_order(order_number: str | None, email: str, user=None) -> Order | None:
    """The order with this number if it belongs to the person asking, else None.

    A signed-in customer owns the orders of their account; anyone owns a guest order placed
    with their email address (store.orders.access.may_view decides).
    """
    number = clean_number(order_number)
    if not number:
        return None
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None or not may_view(order, user, email=email):
        return None
    return order


def recent_orders(user, limit: int = 20) -> list[Order]:
    """A signed-in customer's latest orders, for the form's order choice."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Order).where(Order.user_id == user.id)
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    ))


def open_ticket(name: str, email: str, message: str, order_number: str | None = None,
                user=None, *, locale: str | None = None) -> SupportTicket:
    """Store a support request, acknowledge it to the customer and alert staff. Commits."""
    name = " ".join((name or "").split())[:120]
    message = (message or "").strip()
    if not name:
        raise ValidationFailed(_("Please tell us your name."), field="name")
    email = _clean_email(email)
    if not message:
        raise ValidationFailed(_("Please write your message."), field="message")
    if len(message) > MAX_MESSAGE:
        raise ValidationFailed(_("Please keep your message under %(n)s characters.",
                                 n=MAX_MESSAGE), field="message")
    locale = _ticket_locale(locale, user)
    with write_transaction():
        order = customer_order(order_number, email, user)
        ticket = SupportTicket(
            name=name, email=email, message=message, locale=locale, status="open",
            order_id=order.id if order else None,
            user_id=user.id if getattr(user, "is_authenticated", False) else None,
        )
        db.session.add(ticket)
        db.session.flush()
        context = {"ticket": ticket.id, "name": name, "email": email, "message": message,
                   "order_number": order.number if order else ""}
        # The form takes any address: the acknowledgement repeats the message only to an
        # address we know is the sender's, so it cannot carry someone's text to a stranger.
        own_address = ticket.user_id is not None and user.email.lower() == email.lower()
        send_templated("support_received", email, "support_received", ACK_SUBJECT,
                       locale=locale, dedupe_key=f"support:{ticket.id}:received",
                       **{**context, "message": message if own_address else ""})
        # Staff see a number that was given but not linked (it may be a typo), never the
        # customer: the acknowledgement only repeats a linked order.
        given = clean_number(order_number)
        send_to_staff("staff_support_request", "support-manage", "staff_support_request",
                      STAFF_SUBJECT, dedupe_key=f"support:{ticket.id}:staff",
                      order_id=ticket.order_id, admin_url=_admin_url(ticket.id),
                      given_number=given if given and not order else "", **context)
    return ticket


def _ticket_locale(locale: str | None, user) -> str:
    locales = current_app.config["STORE_LOCALES"]
    for candidate in (locale, getattr(user, "locale", None), request_locale()):
        if candidate in locales:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _admin_url(ticket_id: int) -> str:
    from werkzeug.routing import BuildError

    try:
        return external_url("supportticket.details_view", id=ticket_id)
    except BuildError:  # the back office is not registered in this app
        return external_url("admin.index")


def _locked_ticket(ticket_id: int) -> SupportTicket:
    ticket = db.session.scalar(
        select(SupportTicket).where(SupportTicket.id == ticket_id).with_for_update()
    )
    if ticket is None:
        raise NotFound(_("There is no such ticket."))
    return ticket


def reply_to_ticket(ticket_id: int, body: str, user_id: int | None) -> SupportReply:
    """Email a staff reply to the customer and keep it on the ticket (now answered). Commits."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("A reply cannot be empty."), field="body")
    if len(body) > MAX_REPLY:
        raise ValidationFailed(_("Please keep the reply under %(n)s characters.", n=MAX_REPLY),
                               field="body")
    with write_transaction():
        ticket = _locked_ticket(ticket_id)
        reply = SupportReply(ticket_id=ticket.id, user_id=user_id, body=body)
        db.session.add(reply)
        previous = ticket.status
        ticket.status = "answered"
        db.session.flush()
        staff = db.session.get(User, user_id) if user_id else None
        send_templated("support_reply", ticket.email, "support_reply", REPLY_SUBJECT,
                       locale=ticket.locale, dedupe_key=f"support:{ticket.id}:reply:{reply.id}",
                       ticket=ticket.id, name=ticket.name, body=body,
                       original=ticket.message, staff_name=_staff_name(staff))
        audit.record(staff, "reply", ticket, {"status": [previous, "answered"]},
                     summary=f"Replied to ticket #{ticket.id}")
    return reply


def _staff_name(user) -> str:
    if user is None:
        return ""
    return (user.full_name or "").split(" ")[0]


def set_status(ticket_id: int, status: str, user_id: int | None = None) -> SupportTicket:
    """Mark a ticket open, answered or closed. Commits."""
    if status not in SupportTicket.STATUSES:
        raise ValidationFailed(_("Unknown ticket status: %(status)s.", status=status))
    with write_transaction():
        ticket = _locked_ticket(ticket_id)
        previous = ticket.status
        if previous != status:
            ticket.status = status
            staff = db.session.get(User, user_id) if user_id else None
            audit.record(staff, "status", ticket, {"status": [previous, status]},
                         summary=f"Ticket #{ticket.id} {status}")
    return ticket


def open_count() -> int:
    """How many tickets wait for an answer (for the dashboard)."""
    return db.session.scalar(
        select(func.count(SupportTicket.id)).where(SupportTicket.status == "open")
    ) or 0
