"""Refunds: by lines, quantities and shipping, never more than was paid, restocking what
staff tick, and one email per refund that says exactly what went back."""

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.database import write_transaction
from store.errors import InvalidTransition, StoreError, ValidationFailed
from store.extensions import db
from store.models import (
    AuditEvent,
    EmailMessage,
    Order,
    OrderEvent,
    Refund,
    RefundLine,
    StockMovement,
    Variant,
)
from store.orders import services as orders
from store.orders.refund_amounts import refundable
from store.orders.refunds import LineChoice, record_provider_refund, refund_order
from store.pricing.taxes import seed_tax_rates
from store.settings.services import update_settings
from tests.conftest import csrf_from
from tests.factories import make_order, make_product
from tests.shopping import add_to_cart, checkout


def fresh(order_id: int) -> Order:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Order, order_id)


def stock(variant_id: int) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


def refund_emails(order_id: int) -> list[EmailMessage]:
    return list(db.session.scalars(select(EmailMessage).where(
        EmailMessage.order_id == order_id, EmailMessage.kind == "order_refunded")
        .order_by(EmailMessage.id)))


def two_line_order(status="paid", **overrides):
    """A paid manual order: 3 mugs at 10.00, 1 poster at 15.00, shipping 4.90 (49.90)."""
    mug = make_product(name="Mug", price="10.00", stock=10).variants[0]
    poster = make_product(name="Poster", price="15.00", stock=10).variants[0]
    order = make_order(items=[(mug, 3), (poster, 1)], status=status, **overrides)
    return order, mug, poster


def lines_of(order):
    return {line.sku: line for line in order.lines}


def nothing_changed(order_id: int, mug_id: int, mug_stock: int) -> None:
    order = fresh(order_id)
    assert order.refunded_total == Decimal("0.00")
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert refund_emails(order_id) == []
    assert stock(mug_id) == mug_stock


def test_partial_manual_refund_records_restocks_and_emails(app, auth):
    """Refunding 2 mugs (restocked) and the poster (not) by bank transfer records the refund
    with its reference, puts the 2 mugs back with a "refund" movement, and emails the
    customer the exact amount, the lines and the reference."""
    staff = auth.user("staff")
    order, mug, poster = two_line_order()
    lines = lines_of(order)
    before_mug, before_poster = stock(mug.id), stock(poster.id)
    refund = refund_order(order.id, [LineChoice(lines[mug.sku].id, 2, True),
                                     LineChoice(lines[poster.sku].id, 1, False)],
                          reason="Arrived broken", reference="BANK-7781", actor=staff)
    order = fresh(order.id)
    assert refund.status == "succeeded" and refund.provider == "manual"
    assert refund.amount == Decimal("35.00") and refund.provider_reference == "BANK-7781"
    assert refund.user_id == staff.id and refund.reason == "Arrived broken"
    assert order.refunded_total == Decimal("35.00") and order.status == "paid"
    assert stock(mug.id) == before_mug + 2 and stock(poster.id) == before_poster
    [movement] = db.session.scalars(select(StockMovement).where(
        StockMovement.reason == "refund"))
    assert (movement.variant_id, movement.delta, movement.order_id, movement.user_id) == (
        mug.id, 2, order.id, staff.id)
    [email] = refund_emails(order.id)
    assert "35.00" in email.body_text and "BANK-7781" in email.body_text
    assert "2 × Mug" in email.body_text and "1 × Poster" in email.body_text
    assert "partial refund" in email.body_text and "35.00 of €49.90" in email.body_text
    assert email.dedupe_key == f"refund:{refund.id}:customer"
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "refund"))


def test_partial_then_full_refund_makes_the_order_refunded_with_one_email_each(app, auth):
    """A partial refund leaves the order paid; refunding the rest makes it `refunded`,
    and the customer gets one email per refund (no extra "refunded" email)."""
    staff = auth.user("staff")
    order, mug, poster = two_line_order(status="delivered")
    lines = lines_of(order)
    refund_order(order.id, [LineChoice(lines[mug.sku].id, 1)], reference="B-1", actor=staff)
    assert fresh(order.id).status == "delivered"
    left = refundable(fresh(order.id))
    assert left.total_left == Decimal("39.90") and left.shipping_left == Decimal("4.90")
    refund_order(order.id, [LineChoice(lines[mug.sku].id, 2),
                            LineChoice(lines[poster.sku].id, 1)],
                 shipping=Decimal("4.90"), reference="B-2", actor=staff)
    order = fresh(order.id)
    assert order.status == "refunded" and order.refunded_at is not None
    assert order.refunded_total == order.total == Decimal("49.90")
    emails = refund_emails(order.id)
    assert len(emails) == 2
    assert "refunded in full" in emails[1].body_text and "€49.90 of €49.90" in emails[1].body_text
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order.id, OrderEvent.to_status == "refunded")) == 1
    assert not refundable(order).anything_left


@pytest.mark.parametrize("case", ["too-many", "negative", "nothing", "shipping", "other-line",
                                  "no-reference"])
def test_refunds_beyond_what_is_left_are_refused_and_change_nothing(app, auth, case):
    """More units than left, negative quantities, nothing chosen, more shipping than paid,
    a line of another order, or a bank refund without its reference: a clear error, and
    nothing changes."""
    staff = auth.user("staff")
    order, mug, _poster = two_line_order()
    other, _m, _p = two_line_order()
    mug_line = lines_of(order)[mug.sku].id
    mug_stock = stock(mug.id)
    choices, shipping, reference = {
        "too-many": ([LineChoice(mug_line, 4, True)], Decimal(0), "B"),
        "negative": ([LineChoice(mug_line, -1, True)], Decimal(0), "B"),
        "nothing": ([LineChoice(mug_line, 0, True)], Decimal(0), "B"),
        "shipping": ([], Decimal("4.91"), "B"),
        "other-line": ([LineChoice(other.lines[0].id, 1, True)], Decimal(0), "B"),
        "no-reference": ([LineChoice(mug_line, 1, True)], Decimal(0), " "),
    }[case]
    with pytest.raises(ValidationFailed) as caught:
        refund_order(order.id, choices, shipping=shipping, reference=reference, actor=staff)
    assert caught.value.message
    nothing_changed(order.id, mug.id, mug_stock)


@pytest.mark.parametrize("status", ["pending", "cancelled"])
def test_unpaid_and_cancelled_orders_cannot_be_refunded(app, auth, status):
    """No money was taken (or it was never kept): refunding is refused, nothing changes."""
    order, mug, _poster = two_line_order(status=status)
    mug_stock = stock(mug.id)
    with pytest.raises(InvalidTransition):
        refund_order(order.id, [LineChoice(order.lines[0].id, 1)], reference="B",
                     actor=auth.user("staff"))
    nothing_changed(order.id, mug.id, mug_stock)


def test_a_line_refunded_unit_by_unit_adds_up_to_what_was_paid(app, auth):
    """With a discount shared over the lines, refunding 3 units one at a time gives back
    exactly the line's paid amount (the last unit takes the rounding remainder)."""
    mug = make_product(name="Mug", price="10.00", stock=10).variants[0]
    order = make_order(items=[(mug, 3)], status="paid", shipping_cost="0.00",
                       discount_total=Decimal("1.00"), total=Decimal("29.00"))
    line_id = order.lines[0].id
    amounts = [refund_order(order.id, [LineChoice(line_id, 1)], reference=f"B{i}",
                            actor=auth.user("staff")).amount for i in range(3)]
    assert amounts == [Decimal("9.67"), Decimal("9.67"), Decimal("9.66")]
    assert fresh(order.id).status == "refunded"


def _refund_all_at_once(app, order_id: int, count: int) -> list:
    """`count` members of staff each refund everything left, at the same moment."""
    left = refundable(fresh(order_id))
    choices = [LineChoice(entry.line.id, entry.quantity_left) for entry in left.lines
               if entry.quantity_left]
    shipping = left.shipping_left
    db.session.rollback()
    start = threading.Barrier(count)
    results: list = [None] * count

    def refund(index: int) -> None:
        with app.app_context():
            start.wait(timeout=30)
            try:
                results[index] = refund_order(order_id, choices, shipping=shipping,
                                              reference=f"B{index}").amount
            except StoreError as exc:
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refund, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a refund hung (deadlock?)"
    return results


def _exactly_one_refund_wins(app) -> None:
    order, mug, _poster = two_line_order()
    refund_order(order.id, [LineChoice(lines_of(order)[mug.sku].id, 1)], reference="B")
    results = _refund_all_at_once(app, order.id, 10)
    won = [r for r in results if isinstance(r, Decimal)]
    lost = [r for r in results if isinstance(r, StoreError)]
    assert won == [Decimal("39.90")] and len(lost) == 9, results
    # The losers are told why: the order is refunded now, or nothing is left on it.
    assert all("is refunded" in exc.message or "left to refund" in exc.message
               for exc in lost), lost
    order = fresh(order.id)
    assert order.refunded_total == Decimal("49.90") and order.status == "refunded"
    assert db.session.scalar(select(func.count(Refund.id))) == 2
    assert db.session.scalar(select(func.sum(RefundLine.quantity))) == 4
    assert len(refund_emails(order.id)) == 2


def test_ten_refunds_of_everything_at_once_refund_once_on_sqlite(app):
    """After a partial refund, ten refunds of all that remains at the same moment: exactly
    one goes through, the others are told why and change nothing."""
    _exactly_one_refund_wins(app)


def test_ten_refunds_of_everything_at_once_refund_once_on_postgresql(pg_app):
    """The same on PostgreSQL: the order row lock and the claim let one refund through."""
    _exactly_one_refund_wins(pg_app)


def test_with_vat_added_on_top_the_refund_gives_back_the_vat_too(app, shop, auth):
    """When prices exclude VAT, a refunded unit gives back its price plus its VAT, and
    shipping its VAT too; each refund stores the VAT inside it."""
    seed_tax_rates()
    update_settings({"prices_include_tax": False}, actor=None)
    tee = make_product(name="Tee", price="25.00", stock=5)
    add_to_cart(shop, tee.variants[0].id, 2)
    assert checkout(shop).status_code in (302, 303)
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert order.total == Decimal("66.43")  # 50.00 + 4.90 + 21 % VAT (10.50 + 1.03)
    orders.transition(order.id, "paid")
    staff = auth.user("staff")
    first = refund_order(order.id, [LineChoice(order.lines[0].id, 1)], reference="B1",
                         actor=staff)
    assert (first.amount, first.tax_amount) == (Decimal("30.25"), Decimal("5.25"))
    [part] = first.lines
    assert (part.amount, part.tax_amount) == (Decimal("30.25"), Decimal("5.25"))
    rest = refund_order(order.id, [LineChoice(order.lines[0].id, 1)],
                        shipping=Decimal("5.93"), reference="B2", actor=staff)
    assert (rest.amount, rest.tax_amount) == (Decimal("36.18"), Decimal("6.28"))
    assert fresh(order.id).status == "refunded"


def test_the_customer_sees_the_refunds_on_the_order_page(app, client, auth):
    """The customer's order page lists each refund and "Refunded €X of €Y", in Spanish too."""
    customer = auth.login("customer")
    order, mug, _poster = two_line_order(user=customer)
    refund_order(order.id, [LineChoice(lines_of(order)[mug.sku].id, 1)], reference="B")
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Refunded €10.00 of €49.90" in html and "Partially refunded" in html
    assert html.count('class="order-refund"') == 1
    client.post("/locale", data={"locale": "es", "csrf_token": csrf_from(client, "/")})
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Reembolsado" in html and "Reembolsos" in html


def test_the_refund_email_is_in_the_customer_language(app, auth):
    """A Spanish customer's refund email is in Spanish with the amount."""
    order, mug, _poster = two_line_order(locale="es")
    refund_order(order.id, [LineChoice(lines_of(order)[mug.sku].id, 1)], reference="TR-1")
    [email] = refund_emails(order.id)
    assert "Te hemos reembolsado 10,00" in email.body_text
    assert "Reembolso parcial del pedido" in email.subject


def test_never_more_than_was_paid_after_a_refund_made_elsewhere(app, auth):
    """When money already went back outside the shop's lines (a provider's dashboard), a
    refund whose lines would still fit but whose amount exceeds what is left is refused."""
    order, mug, poster = two_line_order()
    with write_transaction():
        locked = db.session.get(Order, order.id)
        assert record_provider_refund(locked, Decimal("40.00"), "ext-1", provider="manual",
                                      note="Refunded elsewhere") is not None
    mug_stock = stock(mug.id)
    with pytest.raises(ValidationFailed) as caught:
        refund_order(order.id, [LineChoice(lines_of(order)[poster.sku].id, 1)],
                     reference="B", actor=auth.user("staff"))
    assert "Only 9.90 is left to refund" in caught.value.message
    order = fresh(order.id)
    assert order.refunded_total == Decimal("40.00")
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    assert stock(mug.id) == mug_stock
