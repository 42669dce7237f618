"""The order status table on its own: which moves are allowed and what each move does."""

import pytest
from sqlalchemy import select

from store.audit import services as audit
from store.errors import InvalidTransition, ValidationFailed
from store.extensions import db
from store.models import AuditEvent, EmailMessage, Order, OrderEvent, StockMovement, Variant
from store.orders import services as orders
from store.orders.status import (
    LABELS,
    STAMPS,
    STATUSES,
    TRANSITIONS,
    can_cancel_by_customer,
    status_label,
)
from tests.factories import make_order, make_product

ALLOWED = [(src, dst) for src in STATUSES for dst in TRANSITIONS[src]]
FORBIDDEN = [(src, dst) for src in STATUSES for dst in STATUSES
             if dst not in TRANSITIONS[src]]
SHIPPING = {"carrier": "dhl", "tracking_number": "JD0149"}


def fresh(order_id: int) -> Order:
    """The order as committed (anything left uncommitted is thrown away first)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Order, order_id)


def stock(variant_id: int) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


def events_of(order_id: int) -> list[OrderEvent]:
    return list(db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)))


def emails_of(order_id: int) -> list[str]:
    return list(db.session.scalars(
        select(EmailMessage.kind).where(EmailMessage.order_id == order_id)))


def audit_rows() -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "order")))


def test_the_table_is_the_one_from_the_design():
    """The statuses move as the shop promises: pending -> paid -> shipped -> delivered,
    pending or paid -> cancelled, paid, shipped or delivered -> refunded."""
    assert set(ALLOWED) == {
        ("pending", "paid"), ("paid", "shipped"), ("shipped", "delivered"),
        ("pending", "cancelled"), ("paid", "cancelled"),
        ("paid", "refunded"), ("shipped", "refunded"), ("delivered", "refunded"),
    }
    assert set(STAMPS) == set(STATUSES) - {"pending"}
    assert set(LABELS) == set(STATUSES)


@pytest.mark.parametrize("source, target", ALLOWED)
def test_every_allowed_transition_succeeds_and_stamps_its_time(app, source, target):
    """Each allowed move changes the status and sets the time it happened."""
    order = make_order(status=source)
    assert getattr(order, STAMPS[target]) is None or target == "paid"
    orders.transition(order.id, target, **(SHIPPING if target == "shipped" else {}))
    after = fresh(order.id)
    assert after.status == target
    assert getattr(after, STAMPS[target]) is not None
    assert after.payment_due_at is None


@pytest.mark.parametrize("source, target", FORBIDDEN)
def test_every_forbidden_transition_raises_and_changes_nothing(app, source, target):
    """A move the table does not allow is refused, and the order, its history, its stock
    and the outbox stay exactly as they were."""
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    order = make_order(status=source, items=[(product.variants[0], 2)])
    before_stock = stock(variant_id)
    before_stamp = getattr(order, STAMPS.get(target, "created_at"))
    with pytest.raises(InvalidTransition):
        orders.transition(order.id, target, **SHIPPING)
    after = fresh(order.id)
    assert after.status == source
    assert getattr(after, STAMPS.get(target, "created_at")) == before_stamp
    assert events_of(order.id) == []
    assert emails_of(order.id) == []
    assert stock(variant_id) == before_stock


def test_unknown_status_is_refused(app):
    """A status that does not exist is refused before anything is touched."""
    order = make_order()
    with pytest.raises(ValidationFailed):
        orders.transition(order.id, "lost")
    assert fresh(order.id).status == "pending"


def test_shipping_needs_carrier_and_tracking_number(app):
    """An order cannot be shipped without a carrier and a tracking number."""
    order = make_order(status="paid")
    with pytest.raises(ValidationFailed):
        orders.transition(order.id, "shipped", carrier="dhl", tracking_number=" ")
    assert fresh(order.id).status == "paid"
    orders.transition(order.id, "shipped", **SHIPPING)
    after = fresh(order.id)
    assert (after.status, after.carrier, after.tracking_number) == ("shipped", "dhl", "JD0149")


@pytest.mark.parametrize("source", ["pending", "paid"])
def test_cancel_returns_stock_through_inventory(app, source, auth):
    """Cancelling puts the order's items back on the shelf, with a stock movement that
    names the order and who cancelled."""
    staff = auth.user("staff")
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    order = make_order(status=source, items=[(product.variants[0], 2)])
    assert stock(variant_id) == 3
    orders.transition(order.id, "cancelled", actor=staff)
    assert stock(variant_id) == 5
    movement = db.session.scalars(
        select(StockMovement).where(StockMovement.order_id == order.id)
        .order_by(StockMovement.id.desc())).first()
    assert (movement.delta, movement.reason, movement.user_id) == (2, "cancel", staff.id)
    assert movement.stock_after == 5


@pytest.mark.parametrize("source, target", ALLOWED)
def test_each_transition_records_an_event_and_queues_the_email(app, auth, source, target):
    """Every move is written to the order's history (who, when, note) and the customer's
    email about it waits in the outbox; `refunded` sends none of its own, since each refund
    emails what it gave back (store.orders.refunds)."""
    staff = auth.user("staff")
    order = make_order(status=source)
    orders.transition(order.id, target, actor=staff, note="Checked by phone",
                      **(SHIPPING if target == "shipped" else {}))
    [event] = events_of(order.id)
    assert (event.from_status, event.to_status) == (source, target)
    assert (event.user_id, event.note) == (staff.id, "Checked by phone")
    assert event.created_at is not None
    assert emails_of(order.id) == ([] if target == "refunded" else [f"order_{target}"])


def test_a_transition_without_a_person_is_not_in_the_audit_log(app):
    """A change made by the system (a webhook, a command) has its order event but writes no
    audit row: the audit log is about what people did."""
    order = make_order()
    orders.transition(order.id, "paid")
    assert audit_rows() == []
    assert [e.user_id for e in events_of(order.id)] == [None]


def test_the_audit_row_is_committed_with_the_status_change(app, auth):
    """A member of staff's status change and its audit row are saved together."""
    staff = auth.user("staff")
    order = make_order(status="paid")
    orders.transition(order.id, "shipped", actor=staff, **SHIPPING)
    [row] = audit_rows()
    assert (row.action, row.user_id, row.object_id) == ("status", staff.id, str(order.id))
    assert row.changes == {"status": ["paid", "shipped"], "carrier": [None, "dhl"],
                           "tracking_number": [None, "JD0149"]}
    assert fresh(order.id).status == "shipped"


def test_a_refused_status_change_leaves_no_audit_row(app, auth):
    """A move the table refuses writes nothing to the audit log."""
    staff = auth.user("staff")
    order = make_order(status="delivered")
    with pytest.raises(InvalidTransition):
        orders.transition(order.id, "paid", actor=staff)
    assert audit_rows() == []


def test_a_crash_after_the_audit_row_loses_both(app, auth, monkeypatch):
    """If the change fails after its audit row was written, neither is saved: the log never
    tells of a change that did not happen, nor misses one that did."""
    staff = auth.user("staff")
    order = make_order()
    real_record = audit.record

    def record_then_crash(*args, **kwargs):
        real_record(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("the server went away")

    monkeypatch.setattr(audit, "record", record_then_crash)
    with pytest.raises(RuntimeError):
        orders.transition(order.id, "paid", actor=staff)
    monkeypatch.undo()
    assert fresh(order.id).status == "pending"
    assert audit_rows() == []
    assert events_of(order.id) == []


def test_labels_and_the_customer_cancel_rule(app):
    """Every status has its label, and a customer may cancel only an order awaiting
    payment."""
    with app.test_request_context():
        assert status_label("pending") == "Awaiting payment"
        assert status_label("shipped") == "Shipped"
        assert status_label("mystery") == "mystery"
    for status in STATUSES:
        assert can_cancel_by_customer(Order(status=status)) is (status == "pending")
