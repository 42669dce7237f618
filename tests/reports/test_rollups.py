"""The dashboard's rollups move with every change to an order, at once, and always equal a
recount of the orders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from store.checkout.services import expire_unpaid
from store.database import write_transaction
from store.dev.seed_orders import seed_orders
from store.extensions import db
from store.models import Order, SalesWindow, SalesWindowStart
from store.models.base import utcnow
from store.models.rollups import recount, recount_sales, stored, stored_sales
from store.orders import services as orders
from store.orders.refunds import LineChoice, fail_refund_here, refund_order
from store.reports import services as reports
from tests.factories import make_order, make_product
from tests.shopping import add_to_cart, checkout


def figures():
    """What the dashboard shows now, read fresh."""
    db.session.rollback()
    db.session.expire_all()
    dash = reports.dashboard()
    return dash.by_status, dash.revenue_today, dash.orders_today


def in_step():
    """The rollups equal a recount of the orders and their lines."""
    db.session.rollback()
    assert stored() == recount()
    sales = recount_sales()
    assert stored_sales() == sales
    start = db.session.scalar(select(SalesWindowStart.first_day))
    if start is not None:  # the best sellers' window sums its 30 days
        summed = {}
        for (day, name), (quantity, _revenue) in sales.items():
            if start <= day < start + timedelta(days=30):
                summed[name] = summed.get(name, 0) + quantity
        window = {w.product_name: w.quantity for w in db.session.scalars(select(SalesWindow))
                  if w.quantity}
        assert window == summed


def best_sellers():
    """The dashboard's best sellers as (name, units, revenue)."""
    db.session.rollback()
    return [(p.name, p.quantity, p.revenue) for p in reports.top_products()]


def test_placing_an_order_counts_it_pending_at_once(app, shop):
    """An order placed at checkout shows as pending on the dashboard straight away."""
    # given a product in a cart
    variant = make_product(price="12.00", stock=5).variants[0]
    db.session.commit()
    add_to_cart(shop, variant.id, 2)
    # when the customer checks out
    response = checkout(shop)
    assert response.status_code in (302, 303)
    # then the dashboard counts one pending order, and no revenue yet
    by_status, revenue, count = figures()
    assert by_status["pending"] == 1
    assert (revenue, count) == (Decimal("0.00"), 0)
    in_step()


def test_payment_shipping_and_delivery_move_the_figures(app):
    """Paying an order adds it to today's revenue; shipping and delivering keep it there."""
    # given a pending order of 24.90
    product = make_product(name="Tide Chart", price="20.00", stock=5)
    order = make_order(items=[(product.variants[0], 1)])
    db.session.commit()
    assert figures()[0]["pending"] == 1
    assert best_sellers() == []
    # when it is paid
    orders.transition(order.id, "paid")
    # then it is revenue today, and no longer pending
    by_status, revenue, count = figures()
    assert (by_status["pending"], by_status["paid"]) == (0, 1)
    assert (revenue, count) == (Decimal("24.90"), 1)
    assert best_sellers() == [("Tide Chart", 1, Decimal("20.00"))]
    in_step()
    # when it is shipped and delivered
    orders.transition(order.id, "shipped", carrier="dhl", tracking_number="T-1")
    orders.transition(order.id, "delivered")
    # then the revenue stays and the status counts follow
    by_status, revenue, count = figures()
    assert (by_status["paid"], by_status["delivered"]) == (0, 1)
    assert (revenue, count) == (Decimal("24.90"), 1)
    in_step()


def test_paid_order_placed_earlier_moves_to_the_day_it_was_paid(app):
    """An order placed ten days ago and paid now counts in today's revenue."""
    # given an order placed ten days ago, still pending
    order = make_order(created_at=utcnow() - timedelta(days=10))
    db.session.commit()
    # when it is paid now
    orders.transition(order.id, "paid")
    # then today has its revenue
    _by_status, revenue, count = figures()
    assert (revenue, count) == (Decimal("14.90"), 1)
    in_step()


def test_cancel_and_expiry_take_orders_out(app):
    """A cancelled order and an expired unpaid one leave pending and count as cancelled."""
    # given two pending orders, one due for payment an hour ago
    first = make_order()
    make_order(payment_due_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    # when staff cancel one and the other expires
    orders.transition(first.id, "cancelled")
    assert expire_unpaid() == 1
    # then both are cancelled on the dashboard
    by_status, _revenue, _count = figures()
    assert (by_status["pending"], by_status["cancelled"]) == (0, 2)
    in_step()


def test_refunds_move_the_refunded_amount_and_a_full_refund_the_revenue(app, auth):
    """A partial refund moves the refunded figure; refunding the rest takes the order out of
    the revenue and into refunded; a failed refund gives its amount back."""
    # given a paid order of 3 mugs at 10.00 plus 4.90 shipping
    staff = auth.user("staff")
    mug = make_product(price="10.00", stock=10).variants[0]
    order = make_order(items=[(mug, 3)], status="paid")
    db.session.commit()
    line_id = order.lines[0].id
    # when one mug is refunded
    refund_order(order.id, [LineChoice(line_id, 1)], reference="B-1", actor=staff)
    # then the rollup holds the refund, the order still counts as revenue
    in_step()
    assert figures()[1:] == (Decimal("34.90"), 1)
    # when a second refund fails at the provider afterwards
    second = refund_order(order.id, [LineChoice(line_id, 1)], reference="B-2", actor=staff)
    with write_transaction():
        fail_refund_here(second.id, "bounced")
    in_step()
    # when everything left is refunded
    refund_order(order.id, [LineChoice(line_id, 2)], shipping=Decimal("4.90"),
                 reference="B-3", actor=staff)
    # then the order is refunded and out of the revenue
    by_status, revenue, count = figures()
    assert (by_status["paid"], by_status["refunded"]) == (0, 1)
    assert (revenue, count) == (Decimal("0.00"), 0)
    assert best_sellers() == []
    in_step()


def test_erasing_a_customer_keeps_the_figures(app, auth):
    """Deleting an order row (and anonymising its customer) keeps rollups equal to a recount."""
    # given paid orders, one of a customer
    customer = auth.user("customer")
    make_order(status="paid", user=customer)
    gone = make_order(status="delivered")
    db.session.commit()
    # when the customer's account goes and one order row is deleted
    db.session.delete(db.session.get(Order, gone.id))
    db.session.delete(customer)
    db.session.commit()
    # then the figures match the orders left
    assert figures()[0]["delivered"] == 0
    in_step()


def test_seeded_orders_fill_the_rollups(app):
    """Orders added in bulk by the seeder are counted in the rollups like any other."""
    # given a catalog and a few orders already there
    make_product(price="8.00", stock=3)
    make_order(status="paid")
    db.session.commit()
    # when 300 orders are seeded
    seed_orders(300, batch=120, seed=5)
    # then the rollups equal a recount and count every order
    in_step()
    assert sum(reports.orders_by_status().values()) == db.session.scalar(
        select(db.func.count(Order.id)))


@pytest.mark.postgres
def test_rollups_move_the_same_on_postgresql(pg_app):
    """On PostgreSQL too, paying and cancelling orders keeps the rollups equal to a recount."""
    # given two pending orders
    paid = make_order(items=[(make_product(name="Lamp", price="30.00", stock=5).variants[0], 2)])
    other = make_order()
    db.session.commit()
    # when one is paid and the other cancelled
    orders.transition(paid.id, "paid")
    orders.transition(other.id, "cancelled")
    # then the figures follow and equal a recount
    by_status, revenue, count = figures()
    assert (by_status["paid"], by_status["cancelled"]) == (1, 1)
    assert (revenue, count) == (Decimal("64.90"), 1)
    assert best_sellers() == [("Lamp", 2, Decimal("60.00"))]
    in_step()


def test_best_sellers_window_slides_with_the_days(app):
    """Best sellers cover the 30 days up to the day viewed: sales older than that leave the
    list, and sales made while the window stands are added to it at once."""
    # given a sale 40 days ago and one 5 days ago
    now = utcnow()
    old = make_product(name="Old Hit", price="5.00", stock=20).variants[0]
    new = make_product(name="New Hit", price="7.00", stock=20).variants[0]
    make_order(status="paid", items=[(old, 9)], created_at=now - timedelta(days=40))
    make_order(status="delivered", items=[(new, 2)], created_at=now - timedelta(days=5))
    db.session.commit()

    def top(days_ago):
        db.session.rollback()
        return [(p.name, p.quantity) for p in
                reports.top_products(now=now - timedelta(days=days_ago))]

    # when the dashboard is viewed today, then 20 days ago, then today again
    assert top(0) == [("New Hit", 2)]
    assert top(20) == [("Old Hit", 9)]  # 40 days ago is inside, 5 days ago is ahead
    assert top(0) == [("New Hit", 2)]
    # when another order is paid today
    order = make_order(items=[(old, 1)])
    db.session.commit()
    orders.transition(order.id, "paid")
    # then it shows at once
    assert top(0) == [("New Hit", 2), ("Old Hit", 1)]
    assert top(200) == []  # a window far away is rebuilt from the daily rows
    assert top(0) == [("New Hit", 2), ("Old Hit", 1)]
    in_step()
