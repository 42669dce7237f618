"""No oversell: a crowd of buyers at once for the last ten items, on SQLite and PostgreSQL."""

import threading

import pytest

from store.extensions import db
from store.models import Order, StockMovement, Variant
from tests.factories import make_product
from tests.shopping import ADDRESS, IsolatedClient, add_to_cart, checkout_form, flashes

BUYERS = 120
STOCK = 10


def crowd_buys(app) -> None:
    """BUYERS shoppers each put one of the last STOCK items in their cart, then all press
    "Place order" at the same moment."""
    app.test_client_class = IsolatedClient
    product = make_product(name="Last Lantern", stock=STOCK, price="19.00")
    variant_id = product.variants[0].id
    buyers = []
    for _ in range(BUYERS):
        client = app.test_client()
        assert add_to_cart(client, variant_id, 1).status_code == 303
        buyers.append((client, {**checkout_form(client), **ADDRESS}))

    start = threading.Barrier(BUYERS)
    results: list = [None] * BUYERS

    def buy(index: int) -> None:
        client, form = buyers[index]
        start.wait(timeout=60)
        try:
            response = client.post("/checkout", data=form)
            results[index] = (response.status_code, response.headers.get("Location", ""))
        except Exception as exc:  # reported below as a failure, never hidden
            results[index] = (repr(exc), "")

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer hung (deadlock?)"

    statuses = [status for status, _location in results]
    assert all(status == 303 for status in statuses), sorted(set(map(str, statuses)))
    winners = [i for i, (_s, location) in enumerate(results) if "/orders/" in location]
    losers = [i for i, (_s, location) in enumerate(results) if location.endswith("/cart")]
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
