"""No oversell: a crowd of buyers at once for the last ten items, on SQLite and PostgreSQL."""

import threading

import pytest

from store.extensions import db
from store.models import Order, StockMovement, Variant
from tests.factories import make_product
from tests.shopping import (
    ADDRESS,
    IsolatedClient,
    add_to_cart,
    checkout_form,
    flashes,
    post_checkouts_at_once,
)

BUYERS = 120
STOCK = 10


def crowd_buys(app) -> None:
    """BUYERS shoppers each put one of the last STOCK items in their cart, then all press
    "Place order" at the same moment."""
    app.test_client_class = IsolatedClient
    product = make_product(name="Last Lantern", stock=STOCK, price="19.00")
    variant_id = product.variants[0].id
    buyers = []
    for index in range(BUYERS):
        # A crowd of different people: each their own email and connection (one address
        # placing 120 unpaid orders is refused as hoarding, see tests/checkout/test_unpaid.py).
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.{index // 200}.{index % 200 + 1}"
        assert add_to_cart(client, variant_id, 1).status_code == 303
        buyers.append((client, {**checkout_form(client), **ADDRESS,
                                "email": f"buyer{index}@example.com"}))

    results = post_checkouts_at_once(buyers)

    statuses = [status for status, _location, _body in results]
    assert all(status == 303 for status in statuses), sorted(set(map(str, statuses)))
    winners = [i for i, (_s, location, _b) in enumerate(results) if "/orders/" in location]
    losers = [i for i, (_s, location, _b) in enumerate(results) if location.endswith("/cart")]
    assert len(winners) == STOCK and len(losers) == BUYERS - STOCK

    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Order.id))) == STOCK
    assert db.session.scalar(db.select(Variant.stock).where(Variant.id == variant_id)) == 0
    assert db.session.scalar(db.select(db.func.sum(StockMovement.delta)).where(
        StockMovement.variant_id == variant_id, StockMovement.reason == "sale")) == -STOCK
    for index in losers[:20]:
        html = buyers[index][0].get("/cart").get_data(as_text=True)
        assert "Sorry, “Last Lantern” is sold out." in " ".join(flashes(html))


@pytest.mark.slow
def test_hundred_buyers_ten_items_sqlite(app):
    """120 buyers at once for 10 items on SQLite: 10 orders, stock 0, the rest told sold out."""
    app.config["STORE_DELIVER_AFTER_REQUEST"] = False
    crowd_buys(app)


@pytest.mark.slow
@pytest.mark.postgres
def test_hundred_buyers_ten_items_postgres(pg_app):
    """The same crowd against PostgreSQL: no oversell, no deadlock, no server error."""
    pg_app.config["STORE_DELIVER_AFTER_REQUEST"] = False
    crowd_buys(pg_app)


def two_submits_at_once(app, same_form: bool) -> None:
    """One shopper's cart submitted twice at the same moment (double click, or two tabs)."""
    app.test_client_class = IsolatedClient
    product = make_product(stock=10)
    client = app.test_client()
    add_to_cart(client, product.variants[0].id, 2)
    forms = [{**checkout_form(client), **ADDRESS} for _ in range(2)]
    if same_form:
        forms[1] = forms[0]
    start = threading.Barrier(2)
    results = []

    def submit(form):
        start.wait(timeout=30)
        response = client.post("/checkout", data=form)
        results.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=submit, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _location in results] == [303, 303]
    if same_form:  # both clicks land on the order page
        assert results[0][1] == results[1][1] and "/orders/" in results[0][1]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1
    assert db.session.scalar(db.select(Variant.stock)
                             .where(Variant.id == product.variants[0].id)) == 8


@pytest.mark.parametrize("same_form", [True, False], ids=["double-click", "two-tabs"])
def test_one_cart_submitted_twice_at_once_makes_one_order_sqlite(app, same_form):
    """Two submits of one cart at the same moment place one order (SQLite)."""
    app.config["STORE_DELIVER_AFTER_REQUEST"] = False
    two_submits_at_once(app, same_form)


@pytest.mark.postgres
@pytest.mark.parametrize("same_form", [True, False], ids=["double-click", "two-tabs"])
def test_one_cart_submitted_twice_at_once_makes_one_order_postgres(pg_app, same_form):
    """Two submits of one cart at the same moment place one order (PostgreSQL)."""
    pg_app.config["STORE_DELIVER_AFTER_REQUEST"] = False
    two_submits_at_once(pg_app, same_form)
