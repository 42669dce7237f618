"""Erasing a customer removes them from mail, notes and the audit log, and nothing else."""

import json

import pytest
from sqlalchemy import select

from store.accounts import customers
from store.audit import services as audit
from store.database import write_transaction
from store.extensions import db
from store.models import AuditEvent, EmailMessage, OrderEvent, OrderNote
from store.orders import services as orders
from store.orders.emails import order_placed
from store.support import services as support
from tests.factories import make_order, make_product

JANE = ("Jane Doe", "jane@example.com", "5 Elm Street", "+44 117 000 0001")


def _buyer(auth, name, email, street, phone, variant, thing):
    """A customer with an order (and its mails), a note, a paid event and a ticket."""
    user = auth.user("customer", email)
    user.full_name = name
    db.session.commit()
    order = make_order(user=user, items=[(variant, 1)], full_name=name, address_line1=street,
                       phone=phone)
    order_placed(order)
    db.session.commit()
    staff = auth.user("staff")
    orders.add_note(order.id, f"{name} phoned: leave it at {street}", user_id=staff.id)
    orders.transition(order.id, "paid", actor=staff, note=f"Paid by {name}")
    ticket = support.open_ticket(name, email, f"Hello, {name} here about my {thing}", user=user)
    support.reply_to_ticket(ticket.id, f"Dear {name}, the {thing} ships today.", staff.id)
    with write_transaction():
        audit.record(auth.user("owner"), "update", user,
                     {"email": [f"old.{email}", email], "full_name": [None, name]})
    return user, order


def everything() -> dict:
    """Every mail, note, order event and audit row as text, by table and id."""
    rows = {}
    for message in db.session.scalars(select(EmailMessage)):
        rows[("mail", message.id)] = (message.recipients, message.subject, message.body_text,
                                      message.body_html, message.status)
    for note in db.session.scalars(select(OrderNote)):
        rows[("note", note.id)] = note.body
    for event in db.session.scalars(select(OrderEvent)):
        rows[("event", event.id)] = event.note
    for event in db.session.scalars(select(AuditEvent)):
        rows[("audit", event.id)] = (event.actor, event.summary, json.dumps(event.changes))
    return rows


@pytest.fixture
def shop_with_two(auth):
    """Jane and Bob, each with an order, mails to them and to staff, notes and a ticket."""
    auth.user("owner")
    auth.user("staff")
    variant = make_product(price="20.00", stock=50).variants[0]
    jane, jane_order = _buyer(auth, *JANE, variant, "mug")
    bob, bob_order = _buyer(auth, "Bob Roe", "bob@example.com", "9 Oak Road",
                            "+44 117 000 0002", variant, "teapot")
    # Bob's order note mentions Jane by her address only.
    orders.add_note(bob_order.id, "Bob says jane@example.com is his sister",
                    user_id=auth.user("staff").id)
    return jane, jane_order, bob, bob_order


def test_erasure_leaves_no_trace_of_the_customer(auth, shop_with_two):
    """After erasing Jane, no mail, note, order event or audit row names her or her
    address, phone or messages."""
    jane, _order, _bob, _bob_order = shop_with_two
    customers.erase_customer(jane.id, actor=auth.user("owner"))
    db.session.expire_all()
    text = json.dumps(list(everything().values())).lower()
    for detail in (*JANE, "jane", "about my mug", "the mug ships"):
        assert detail.lower() not in text, detail
    assert "bob roe" in text and "about my teapot" in text


def test_erasure_keeps_staff_recipients_and_everyone_else(auth, shop_with_two):
    """Staff keep the new-order and support alerts about Jane, still addressed to them, and
    Bob's mails, notes and log stay exactly as they were."""
    jane, jane_order, bob, bob_order = shop_with_two
    before = everything()
    customers.erase_customer(jane.id, actor=auth.user("owner"))
    db.session.expire_all()
    after = everything()
    staff_mail = db.session.scalars(select(EmailMessage).where(
        EmailMessage.kind == "staff_new_order", EmailMessage.order_id == jane_order.id)).all()
    assert staff_mail
    for message in staff_mail:
        assert message.recipients == before[("mail", message.id)][0]
        assert "staff@example.com" in message.recipients
    support_mail = db.session.scalars(select(EmailMessage).where(
        EmailMessage.kind == "staff_support_request")).all()
    assert all("staff@example.com" in m.recipients for m in support_mail)

    changed = {key for key in before if before[key] != after[key]}
    bob_rows = set()
    for message in db.session.scalars(select(EmailMessage)):
        if message.order_id == bob_order.id or "bob@example.com" in message.recipients \
                or "Bob Roe" in message.body_text:
            bob_rows.add(("mail", message.id))
    bob_rows |= {("event", e.id) for e in db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == bob_order.id))}
    bob_rows |= {("audit", e.id) for e in db.session.scalars(select(AuditEvent))
                 if "bob" in json.dumps([e.actor, e.summary, e.changes]).lower()
                 and "jane" not in json.dumps([e.summary, e.changes]).lower()}
    assert bob_rows and not changed & bob_rows
    bob_notes = db.session.scalars(select(OrderNote).where(
        OrderNote.order_id == bob_order.id).order_by(OrderNote.id)).all()
    assert [n.body for n in bob_notes] == ["Bob Roe phoned: leave it at 9 Oak Road",
                                           "Bob says (erased) is his sister"]
