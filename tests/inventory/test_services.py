"""Stock adjustments: the stock change, its movement and its audit row commit together."""

import pytest
from sqlalchemy import func, select

from store.audit import services as audit
from store.errors import OutOfStock, ValidationFailed
from store.extensions import db
from store.inventory import services as inventory
from store.models import AuditEvent, StockMovement, Variant
from tests.factories import make_product


def counts(variant_id: int) -> tuple[int, int, int]:
    """(stock on hand, stock movements, audit rows) as committed in the database."""
    db.session.rollback()
    return (db.session.scalar(select(Variant.stock).where(Variant.id == variant_id)),
            db.session.scalar(select(func.count(StockMovement.id))
                              .where(StockMovement.variant_id == variant_id)),
            db.session.scalar(select(func.count(AuditEvent.id))))


def test_adjustment_commits_with_its_audit_row(app, auth):
    """A staff member's restock is in the stock, the ledger and the audit log, naming them."""
    # given a variant with 3 on hand
    staff = auth.user("staff")
    variant_id = make_product(stock=3).variants[0].id
    # when staff receive 5 units
    movement = inventory.adjust_stock(variant_id, reason="restock", delta=5, note="delivery 42",
                                      actor=staff)
    # then stock, movement and audit row are all committed, each naming the person
    assert counts(variant_id) == (8, 2, 1)
    assert (movement.delta, movement.stock_after, movement.user_id) == (5, 8, staff.id)
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.object_type, event.object_id, event.user_id, event.actor) == (
        "adjust_stock", "variant", str(variant_id), staff.id, "staff@example.com")
    assert event.changes == {"stock": [3, 8]}
    assert event.summary.endswith(": +5 (restock), delivery 42")


def test_a_stocktake_count_is_audited_as_the_difference(app, auth):
    """Setting the count after a stocktake logs the old and new figures."""
    # given 10 on hand
    owner = auth.user("owner")
    variant_id = make_product(stock=10).variants[0].id
    # when the shelf holds 4
    inventory.adjust_stock(variant_id, reason="correction", new_count=4, actor=owner)
    # then the audit row says 10 -> 4
    assert counts(variant_id) == (4, 2, 1)
    assert db.session.scalar(select(AuditEvent.changes)) == {"stock": [10, 4]}


@pytest.mark.parametrize(("change", "error"), [
    ({"delta": -5}, OutOfStock),          # more than is on hand
    ({"new_count": -1}, ValidationFailed),  # below zero
    ({"new_count": 2}, ValidationFailed),   # already at that count
])
def test_a_refused_adjustment_leaves_no_stock_change_and_no_audit(app, auth, change, error):
    """Taking stock below zero changes nothing: no stock, no movement, no audit row."""
    # given 2 on hand (one initial movement)
    staff = auth.user("staff")
    variant_id = make_product(stock=2).variants[0].id
    # when staff try an adjustment the rules refuse
    with pytest.raises(error):
        inventory.adjust_stock(variant_id, reason="damaged", actor=staff, **change)
    # then nothing was written
    assert counts(variant_id) == (2, 1, 0)


def test_a_failed_audit_write_undoes_the_stock_change(app, auth, monkeypatch):
    """If the audit row cannot be written, the stock is not changed either."""
    # given 3 on hand, and an audit log that fails to write (a crash mid-transaction)
    staff = auth.user("staff")
    variant_id = make_product(stock=3).variants[0].id

    def crash(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", crash)
    # when staff restock
    with pytest.raises(RuntimeError):
        inventory.adjust_stock(variant_id, reason="restock", delta=5, actor=staff)
    # then the stock change was rolled back with it
    assert counts(variant_id) == (3, 1, 0)
