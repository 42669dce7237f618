"""Erasing a customer beyond their own records: the mail, notes and audit rows that name them.

store.accounts.customers.erase_customer() anonymises the customer's account, orders and
tickets and calls `erase_traces()` in the same transaction for everything else that holds
their personal data. Two scopes, so that erasure touches the person and nothing else:

* records *about* them (mail to them or about their orders and tickets, the notes and
  events of their orders, the audit rows of their account, addresses, orders and tickets)
  lose every one of their details: names, email addresses, address lines, phone numbers;
* any other note, mail or audit row is searched by their email addresses only (a name may
  be someone else's too), and loses just those mentions.

Staff who received mail about the customer keep it, addressed to them as before; only the
customer's own addresses leave the recipients.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, or_, select

from store.extensions import db
from store.models import (
    AuditEvent,
    EmailMessage,
    Order,
    OrderEvent,
    OrderNote,
    SupportTicket,
    User,
)

ERASED = "(erased)"
NOT_SENT = "Not sent: the customer's data was erased."
MIN_NEEDLE = 3  # shorter values ("GB", "1") would blank unrelated words
# Fields whose logged values on the person's own records are theirs whatever they say
# (an old email address or name is no longer among the details read from the records).
PERSONAL_FIELDS = {"email", "username", "full_name", "name", "address_line1",
                   "address_line2", "city", "postal_code", "phone", "message", "body",
                   "current_login_ip", "last_login_ip", "tf_phone_number", "us_phone_number"}


@dataclass
class Person:
    """What identifies a customer, gathered before their records are overwritten."""

    placeholder: str
    emails: set[str] = field(default_factory=set)
    details: set[str] = field(default_factory=set)
    order_ids: list[int] = field(default_factory=list)
    ticket_ids: list[int] = field(default_factory=list)
    address_ids: list[int] = field(default_factory=list)
    user_id: int = 0

    def pattern(self) -> re.Pattern | None:
        """A regex matching any of their details or addresses, as text or HTML-escaped."""
        needles = {n for n in self.details | self.emails if len(n) >= MIN_NEEDLE}
        needles |= {html.escape(n) for n in needles}
        if not needles:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _text(*values: Any) -> set[str]:
    return {" ".join(str(v).split()) for v in values if v and str(v).strip()}


def person(user: User, orders: list[Order], tickets: list[SupportTicket],
           placeholder: str) -> Person:
    """Everything that names this customer, read before the erasure changes it."""
    found = Person(placeholder=placeholder, user_id=user.id,
                   order_ids=[o.id for o in orders], ticket_ids=[t.id for t in tickets],
                   address_ids=[a.id for a in user.addresses])
    found.emails = {e.lower() for e in _text(user.email, *(o.email for o in orders),
                                             *(t.email for t in tickets))}
    found.details = _text(user.full_name, user.username)
    for a in user.addresses:
        found.details |= _text(a.full_name, a.address_line1, a.address_line2, a.phone)
    for o in orders:
        found.details |= _text(o.full_name, o.address_line1, o.address_line2, o.phone)
    for t in tickets:
        found.details |= _text(t.name)
    found.details.discard(ERASED)
    return found


def scrub(value: Any, pattern: re.Pattern | None) -> Any:
    """A text (or JSON value) with every mention of the person replaced by "(erased)"."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, pattern) for k, v in value.items()}
    return value


def _mentions(column, emails: Iterable[str]):
    """SQL: the (clear-text) column contains one of these email addresses (any case)."""
    text = func.lower(cast(column, String))
    return [text.like("%" + e.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                      + "%", escape="\\") for e in emails]


def _ids_mentioning(model, attribute: str, emails: Iterable[str]) -> list[int]:
    """Ids of rows whose encrypted `attribute` mentions one of these addresses.

    Encrypted columns cannot be searched in SQL, so the rows are decrypted and read here,
    a batch at a time; erasure is rare and this keeps it complete.
    """
    wanted = [e.lower() for e in emails if e]
    found = []
    rows = db.session.execute(select(model.id, getattr(model, attribute))
                              .execution_options(yield_per=500))
    for row_id, value in rows:
        text = str(value or "").lower()
        if any(e in text for e in wanted):
            found.append(row_id)
    return found


def erase_traces(who: Person) -> None:
    """Anonymise the person in the outbox, order notes and events, and the audit log."""
    pattern = who.pattern()
    _erase_mail(who, pattern)
    _erase_notes(who, pattern)
    _erase_audit(who, pattern)


def _erase_mail(who: Person, pattern) -> None:
    about_tickets = [EmailMessage.dedupe_key.like(f"support:{t}:%") for t in who.ticket_ids]
    about = [EmailMessage.order_id.in_(who.order_ids), *about_tickets]
    messages = db.session.scalars(select(EmailMessage).where(or_(
        *about, *_mentions(EmailMessage.recipients, who.emails),
        EmailMessage.id.in_(_ids_mentioning(EmailMessage, "body_text", who.emails)))))
    for message in messages:
        recipients = [r.strip() for r in message.recipients.split(",") if r.strip()]
        others = [r for r in recipients if r.lower() not in who.emails]
        theirs = len(others) < len(recipients)
        if theirs:
            message.recipients = ", ".join(others) or who.placeholder
        is_about = theirs or message.order_id in who.order_ids or any(
            (message.dedupe_key or "").startswith(f"support:{t}:") for t in who.ticket_ids)
        message.subject = scrub(message.subject, pattern)
        if not is_about:
            message.body_text = scrub(message.body_text, pattern)
            message.body_html = scrub(message.body_html, pattern)
            continue
        message.body_text = ERASED
        message.body_html = ""
        if message.status in ("pending", "sending"):
            message.status = "failed"
            message.last_error = NOT_SENT


def _erase_notes(who: Person, pattern) -> None:
    for model, column in ((OrderNote, OrderNote.body), (OrderEvent, OrderEvent.note)):
        rows = db.session.scalars(select(model).where(or_(
            model.order_id.in_(who.order_ids),
            model.id.in_(_ids_mentioning(model, column.key, who.emails)))))
        for row in rows:
            setattr(row, column.key, scrub(getattr(row, column.key), pattern))


def _erase_audit(who: Person, pattern) -> None:
    objects = [("user", [who.user_id]), ("order", who.order_ids),
               ("address", who.address_ids), ("support_ticket", who.ticket_ids)]
    theirs = [(AuditEvent.object_type == kind) & AuditEvent.object_id.in_([str(i) for i in ids])
              for kind, ids in objects if ids]
    events = db.session.scalars(select(AuditEvent).where(or_(
        *theirs, AuditEvent.user_id == who.user_id, *_mentions(AuditEvent.actor, who.emails),
        *_mentions(AuditEvent.summary, who.emails),
        AuditEvent.id.in_(_ids_mentioning(AuditEvent, "changes", who.emails)))))
    own = {(kind, str(i)) for kind, ids in objects for i in ids}
    for event in events:
        if event.actor.lower() in who.emails:
            event.actor = who.placeholder
        event.summary = scrub(event.summary, pattern)
        changes = scrub(dict(event.changes or {}), pattern)
        if (event.object_type, event.object_id) in own:
            changes = {k: _blank(v) if k in PERSONAL_FIELDS else v for k, v in changes.items()}
        # A new dict: the JSON column notices reassignment, not changes inside it.
        event.changes = changes


def _blank(value: Any) -> Any:
    """A logged [old, new] pair with each value that was set replaced by "(erased)"."""
    if isinstance(value, list):
        return [ERASED if v not in (None, "") else v for v in value]
    return ERASED if value not in (None, "") else value
