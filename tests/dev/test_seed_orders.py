"""Synthetic orders for benchmarks: whole orders with lines and history, no stock touched."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.dev.seed_orders import seed_orders
from store.errors import ValidationFailed
from store.extensions import db
from store.models import Order, OrderEvent, OrderLine, Variant
from store.pricing.shipping import shipping_cost
from tests.factories import make_product


def test_seeded_orders_are_complete_and_leave_stock_alone(app):
    """Each synthetic order has 1-4 lines, consistent totals and its status history."""
    # given a small catalog
    for price in ("5.00", "12.50", "30.00"):
        make_product(price=price, stock=7)
    # when 40 orders are seeded in batches of 15
    assert seed_orders(40, batch=15, seed=3) == 40
    # then every order adds up, has its events, and no stock moved
    orders = list(db.session.scalars(select(Order)))
    assert len(orders) == 40 and len({o.number for o in orders}) == 40
    for order in orders:
        assert 1 <= len(order.lines) <= 3  # at most as many lines as there are variants
        assert order.subtotal == sum((line.line_total for line in order.lines), Decimal(0))
        assert order.shipping_cost == shipping_cost(order.shipping_method, order.subtotal)
        assert order.total == order.subtotal + order.shipping_cost
        events = db.session.scalar(select(func.count(OrderEvent.id))
                                   .where(OrderEvent.order_id == order.id))
        assert events == (1 if order.status == "pending" else 2)
        assert (order.tracking_number is not None) == (order.status in ("shipped", "delivered"))
    assert set(db.session.scalars(select(Variant.stock))) == {7}
    assert db.session.scalar(select(func.count(OrderLine.id))) >= 40


def test_seeding_orders_without_products_is_refused(app):
    """Without products there is nothing to order: a clear message, nothing written."""
    with pytest.raises(ValidationFailed, match="Add products first"):
        seed_orders(5)
    assert db.session.scalar(select(func.count(Order.id))) == 0
