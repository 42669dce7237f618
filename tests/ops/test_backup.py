"""`flask backup` while the shop serves checkouts, and a restore that finds every order.

Restoring is one line: stop the shop, then copy the backup file into place
(`cp backup.db store.db`, removing any old store.db-wal and store.db-shm first).
"""

import shutil
import sqlite3
import time

import pytest
from sqlalchemy import func, select

from store import create_app
from store.extensions import db
from store.models import Order, OrderLine, StockMovement, Variant
from tests.conftest import base_config
from tests.factories import make_product
from tests.ops.shop_server import Crowd, gunicorn

# About SQLite itself (its file, pragmas or lock): not run with TEST_DATABASE=postgres.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


@pytest.mark.slow
def test_backup_during_checkouts_restores_every_earlier_order(app, runner, tmp_path):
    """A backup taken while customers buy, restored into a new file, holds every order
    confirmed before the backup began, whole, with stock matching its ledger."""
    variant_ids = [make_product(stock=10_000).variants[0].id for _ in range(3)]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    backup = tmp_path / "backups" / "shop.db"
    with gunicorn(tmp_path, url) as server, Crowd(server.url, variant_ids) as crowd:
        crowd.wait_for(10)
        began = time.monotonic()
        result = runner.invoke(args=["backup", str(backup)])
        crowd.wait_for(5)
    assert result.exit_code == 0, result.output
    assert crowd.errors == []
    before = crowd.confirmed_before(began)
    assert len(before) >= 10, "too few checkouts before the backup to prove anything"

    restored = tmp_path / "restored" / "store.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)  # the documented restore
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copy = create_app(base_config(tmp_path / "restored",
                                  SQLALCHEMY_DATABASE_URI=f"sqlite:///{restored}"))
    with copy.app_context():
        found = dict(db.session.execute(
            select(Order.number, func.count(OrderLine.id)).join(OrderLine)
            .where(Order.number.in_(before)).group_by(Order.number)).all())
        assert set(found) == before
        ledger = dict(db.session.execute(
            select(StockMovement.variant_id, func.sum(StockMovement.delta))
            .group_by(StockMovement.variant_id)).all())
        assert {v.id: v.stock for v in db.session.scalars(select(Variant))} == ledger
        db.session.remove()
        db.engine.dispose()
