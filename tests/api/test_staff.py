"""Staff actions over the API go through the back office's services, with its permissions:
stock movements and audit rows are written, customers are refused, bad input changes nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.accounts.services import create_user
from store.extensions import db
from store.models import AuditEvent, Order, OrderEvent, Refund, Role, StockMovement, Variant
from tests.api.conftest import headers
from tests.api.test_auth import assert_problem
from tests.conftest import PASSWORD
from tests.factories import make_order, make_product


def stock(variant_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_staff_adjust_stock_with_a_movement_and_an_audit_row(app, auth, bare, token_for):
    """+5 restock, then a count of 3: two ledger movements by that member of staff, audited."""
    variant = make_product(stock=10).variants[0]
    token = token_for("staff")
    staff = auth.user("staff")
    url = f"/api/v1/variants/{variant.id}/stock-adjustments"
    made = bare.post(url, json={"delta": 5, "reason": "restock", "note": "Delivery 88"},
                     headers=headers(token))
    assert made.status_code == 201
    assert {k: made.get_json()[k] for k in ("delta", "stock_after", "reason", "note")} == {
        "delta": 5, "stock_after": 15, "reason": "restock", "note": "Delivery 88"}
    counted = bare.post(url, json={"count": 3, "reason": "correction"}, headers=headers(token))
    assert counted.get_json()["delta"] == -12 and stock(variant.id) == 3
    movements = db.session.execute(select(StockMovement.delta, StockMovement.user_id).where(
        StockMovement.variant_id == variant.id, StockMovement.reason != "initial")
        .order_by(StockMovement.id)).all()
    assert movements == [(5, staff.id), (-12, staff.id)]
    audits = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "adjust_stock").order_by(AuditEvent.id)).all()
    assert [(a.user_id, a.summary) for a in audits] == [
        (staff.id, f"{variant.sku}: +5 (restock), Delivery 88"),
        (staff.id, f"{variant.sku}: -12 (correction)")]


@pytest.mark.parametrize("body, status", [
    ({"delta": -11, "reason": "damaged"}, 409),            # more than on hand
    ({"delta": 1, "count": 4, "reason": "restock"}, 422),  # both
    ({"delta": 1, "reason": "theft"}, 422),                # not a manual reason
    ({"count": -1, "reason": "correction"}, 422),
])
def test_refused_adjustments_change_nothing(app, bare, token_for, body, status):
    """Each refusal is a problem with a message, and the stock and ledger stay as they were."""
    variant = make_product(stock=10).variants[0]
    token = token_for("staff")
    before = count(StockMovement)
    assert_problem(bare.post(f"/api/v1/variants/{variant.id}/stock-adjustments", json=body,
                             headers=headers(token)), status)
    assert stock(variant.id) == 10 and count(StockMovement) == before
    assert count(AuditEvent) == 0


def test_customers_and_visitors_cannot_act_as_staff(app, auth, bare, token_for):
    """A customer token is 403 on every staff action; no token is 401; nothing changes."""
    variant = make_product(stock=10).variants[0]
    order = make_order(user=auth.user("customer"), status="paid")
    calls = [(f"/api/v1/variants/{variant.id}/stock-adjustments",
              {"delta": 1, "reason": "restock"}),
             (f"/api/v1/orders/{order.number}/status", {"status": "shipped", "carrier": "ups",
                                                       "tracking_number": "1Z"}),
             (f"/api/v1/orders/{order.number}/refunds", {"shipping": "4.90",
                                                        "reference": "B-1"})]
    token = token_for("customer")
    for url, body in calls:
        assert_problem(bare.post(url, json=body, headers=headers(token)), 403)
        assert_problem(bare.post(url, json=body), 401)
    assert stock(variant.id) == 10 and db.session.get(Order, order.id).status == "paid"
    assert count(Refund) == 0 and count(AuditEvent) == 0


def test_a_role_without_the_permission_is_403(app, auth, bare, token_for):
    """Inventory needs inventory-manage as in the back office: a role without it is refused."""
    db.session.add(Role(name="viewer", permissions=["admin-access", "orders-read"]))
    db.session.commit()
    create_user("viewer@example.com", PASSWORD, ["viewer"])
    variant = make_product(stock=10).variants[0]
    token = bare.post("/api/v1/auth/token", json={"email": "viewer@example.com",
                                                  "password": PASSWORD}).get_json()["token"]
    problem = assert_problem(bare.post(f"/api/v1/variants/{variant.id}/stock-adjustments",
                                       json={"delta": 1, "reason": "restock"},
                                       headers=headers(token)), 403)
    assert "inventory-manage" in problem["detail"]


def test_staff_move_an_order_through_its_statuses(app, auth, bare, token_for):
    """Paid -> shipped (carrier and tracking) with an order event and audit row each; an
    impossible move is a 409 that changes nothing; unknown orders are 404."""
    order = make_order(user=auth.user("customer"))
    token = token_for("staff")
    staff = auth.user("staff")
    url = f"/api/v1/orders/{order.number}/status"
    paid = bare.post(url, json={"status": "paid", "note": "Transfer seen"},
                     headers=headers(token))
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    shipped = bare.post(url, json={"status": "shipped", "carrier": "Correos",
                                   "tracking_number": "PK123"}, headers=headers(token))
    assert (shipped.get_json()["carrier"], shipped.get_json()["tracking_number"]) == (
        "Correos", "PK123")
    assert_problem(bare.post(url, json={"status": "paid"}, headers=headers(token)), 409)
    assert_problem(bare.post(url, json={"status": "refunded"}, headers=headers(token)), 422)
    assert_problem(bare.post("/api/v1/orders/SS-NONE-XXXX/status", json={"status": "paid"},
                             headers=headers(token)), 404)
    db.session.rollback()
    events = db.session.execute(select(OrderEvent.to_status, OrderEvent.user_id).where(
        OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    assert events == [("paid", staff.id), ("shipped", staff.id)]
    assert db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "status").order_by(AuditEvent.id)).all() == [
        f"Order {order.number}: pending -> paid", f"Order {order.number}: paid -> shipped"]


def test_cancelling_returns_the_stock(app, auth, bare, token_for):
    """Cancel through the API puts the units back with a ledger movement."""
    variant = make_product(stock=10).variants[0]
    order = make_order(items=[(variant, 3)], user=auth.user("customer"))
    assert stock(variant.id) == 7
    response = bare.post(f"/api/v1/orders/{order.number}/status", json={"status": "cancelled"},
                         headers=headers(token_for("staff")))
    assert response.status_code == 200 and stock(variant.id) == 10


def test_staff_refund_through_the_refund_service(app, auth, bare, token_for):
    """A manual refund of one line (restocked) and the shipping: recorded, restocked, audited;
    without the transfer reference nothing is refunded."""
    variant = make_product(price="10.00", stock=10).variants[0]
    order = make_order(items=[(variant, 2)], user=auth.user("customer"), status="paid")
    token = token_for("staff")
    staff = auth.user("staff")
    url = f"/api/v1/orders/{order.number}/refunds"
    line_id = order.lines[0].id
    body = {"lines": [{"line_id": line_id, "quantity": 1, "restock": True}],
            "shipping": "4.90", "reason": "Broken"}
    problem = assert_problem(bare.post(url, json=body, headers=headers(token)), 422)
    assert "reference" in problem["detail"]
    assert count(Refund) == 0 and stock(variant.id) == 8

    made = bare.post(url, json={**body, "reference": "BANK-1"}, headers=headers(token))
    assert made.status_code == 201
    refund = made.get_json()
    assert (refund["amount"], refund["shipping_amount"], refund["status"],
            refund["provider_reference"]) == ("14.90", "4.90", "succeeded", "BANK-1")
    assert stock(variant.id) == 9
    assert db.session.get(Order, order.id).refunded_total == Decimal("14.90")
    assert db.session.scalar(select(Refund.user_id)) == staff.id
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "refund")) == 1
    too_much = {"lines": [{"line_id": line_id, "quantity": 5}], "reference": "B-2"}
    assert_problem(bare.post(url, json=too_much, headers=headers(token)), 422)
    assert_problem(bare.post(url, json={"shipping": "lots", "reference": "B-3"},
                             headers=headers(token)), 422)
    assert count(Refund) == 1
