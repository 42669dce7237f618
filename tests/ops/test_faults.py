"""Crash safety: gunicorn workers killed in the middle of checkouts lose no confirmed order
and leave stock, ledger and database consistent."""

import sqlite3
import time

import pytest
from sqlalchemy import func, select

from store.extensions import db
from store.models import Order, OrderLine, StockMovement, Variant
from tests.factories import make_product
from tests.ops.shop_server import Crowd, gunicorn

# About SQLite itself (its file, pragmas or lock): not run with TEST_DATABASE=postgres.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def check_consistent(database: str, numbers: set[str]) -> None:
    """Every confirmed order is there with its lines; every variant's stock is the sum of its
    ledger; SQLite finds the file intact."""
    db.session.expire_all()
    found = dict(db.session.execute(
        select(Order.number, func.count(OrderLine.id)).join(OrderLine, isouter=True)
        .where(Order.number.in_(numbers)).group_by(Order.number)).all())
    assert set(found) == numbers, numbers - set(found)
    assert all(count == 1 for count in found.values()), found
    ledger = dict(db.session.execute(
        select(StockMovement.variant_id, func.sum(StockMovement.delta))
        .group_by(StockMovement.variant_id)).all())
    for variant in db.session.scalars(select(Variant)):
        assert variant.stock == ledger.get(variant.id, 0), variant.sku
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.slow
def test_killing_every_worker_mid_checkout_loses_no_confirmed_order(app, tmp_path):
    """Shoppers keep buying while every gunicorn worker is killed twice: each order a
    shopper saw confirmed is kept whole, and stock matches its ledger."""
    variant_ids = [make_product(stock=10_000).variants[0].id for _ in range(3)]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    with gunicorn(tmp_path, url) as server, Crowd(server.url, variant_ids) as crowd:
        killed = []
        for _round in range(2):
            crowd.wait_for(10)
            killed += server.kill_workers()
            server.wait_ready()
        crowd.wait_for(10)
    assert len(killed) == 6
    assert crowd.errors == []
    numbers = crowd.confirmed_before(time.monotonic())
    assert len(numbers) >= 20, "too few checkouts to prove anything"
    assert crowd.dropped > 0, "no checkout was cut off: the kill proved nothing"
    check_consistent(url.removeprefix("sqlite:///"), numbers)
