"""Back-office orders: list, detail, status actions, bulk actions, notes, packing slip, CSV."""

import re

import pytest
from sqlalchemy import select

from store.extensions import db
from store.models import AuditEvent, EmailMessage, Order, OrderEvent, StockMovement, Variant
from tests.conftest import csrf_from
from tests.factories import make_order, make_product


def detail_url(order) -> str:
    return f"/admin/order/details/?id={order.id}"


def change_status(client, order, target, **fields):
    """Press a status button on the order's detail page."""
    data = {"target": target, "csrf_token": csrf_from(client, detail_url(order)), **fields}
    return client.post(f"/admin/order/{order.id}/status", data=data, follow_redirects=True)


def bulk(client, action, orders_):
    """Run a bulk action from the order list on the given orders."""
    data = {"action": action, "rowid": [str(o.id) for o in orders_],
            "csrf_token": csrf_from(client, "/admin/order/")}
    return client.post("/admin/order/action/", data=data, follow_redirects=True)


def fresh(order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def events(order) -> list[OrderEvent]:
    return list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)))


# -- access ------------------------------------------------------------------------------------


def test_visitor_is_sent_to_login(client, app):
    """A visitor opening the order list is asked to sign in."""
    response = client.get("/admin/order/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")


def test_customer_is_refused(client, auth):
    """A customer gets 403 on the order list, an order and its actions."""
    auth.login("customer")
    order = make_order()
    assert client.get("/admin/order/").status_code == 403
    assert client.get(detail_url(order)).status_code == 403
    assert client.get(f"/admin/order/{order.id}/packing-slip").status_code == 403


def test_staff_sees_the_order_list(client, auth):
    """Staff open the order list and see each order's number, customer and total."""
    auth.login("staff")
    order = make_order(email="buyer@example.com")
    html = client.get("/admin/order/").get_data(as_text=True)
    assert order.number in html
    assert "buyer@example.com" in html
    assert "14.90" in html


def test_reader_without_manage_permission_cannot_change_status(client, auth, app):
    """Someone who may only read orders gets 403 on a status change, and nothing moves."""
    app.extensions["security"].datastore.create_role(
        name="viewer", permissions=["admin-access", "orders-read"])
    db.session.commit()
    auth.login("viewer", email="viewer@example.com")
    order = make_order()
    page = client.get(detail_url(order)).get_data(as_text=True)
    assert "Mark paid" not in page
    token = csrf_from(client, detail_url(order))
    response = client.post(f"/admin/order/{order.id}/status",
                           data={"target": "paid", "csrf_token": token})
    assert response.status_code == 403
    response = client.post("/admin/order/action/", data={
        "action": "mark_paid", "rowid": [str(order.id)], "csrf_token": token})
    assert response.status_code == 403
    assert fresh(order).status == "pending"


def test_orders_cannot_be_created_edited_or_deleted_as_rows(client, auth):
    """The back office offers no raw create, edit or delete of an order."""
    auth.login("owner")
    order = make_order()
    for url in ("/admin/order/new/", f"/admin/order/edit/?id={order.id}"):
        response = client.get(url)
        assert response.status_code in (302, 403)
    token = csrf_from(client, detail_url(order))
    client.post("/admin/order/delete/", data={"id": str(order.id), "csrf_token": token})
    assert fresh(order) is not None


# -- detail ------------------------------------------------------------------------------------


def test_detail_shows_lines_totals_address_and_payment(client, auth):
    """An order's page shows what was bought, the totals, the address and the payment state."""
    auth.login("staff")
    product = make_product(name="Salt and Juniper", price="12.50", stock=5)
    order = make_order(items=[(product.variants[0], 2)])
    html = client.get(detail_url(order)).get_data(as_text=True)
    assert "Salt and Juniper" in html
    assert "25.00" in html and "29.90" in html  # line total and total with shipping
    assert "1 Analytical Row" in html
    assert "Awaiting payment" in html


def test_mark_paid_records_event_and_queues_email(client, auth):
    """Marking an order paid changes its status, adds who did it to the timeline and
    queues the customer's email."""
    staff = auth.login("staff")
    order = make_order(email="ada@example.com")
    response = change_status(client, order, "paid", note="Transfer arrived")
    html = response.get_data(as_text=True)
    assert f"Order {order.number} marked paid" in html
    assert fresh(order).status == "paid"
    assert fresh(order).paid_at is not None
    [event] = events(order)
    assert (event.from_status, event.to_status, event.user_id, event.note) == (
        "pending", "paid", staff.id, "Transfer arrived")
    assert "staff@example.com" in html and "Transfer arrived" in html
    mail = db.session.scalars(select(EmailMessage).where(EmailMessage.order_id == order.id))
    assert [m.kind for m in mail] == ["order_paid"]
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "order")).one()
    assert (logged.action, logged.user_id, logged.changes) == (
        "status", staff.id, {"status": ["pending", "paid"]})


def test_refused_status_change_writes_no_audit_row(client, auth):
    """A status change the order cannot make, from the page or a bulk action, leaves the
    order and the audit log untouched; the one that succeeds is logged once."""
    auth.login("staff")
    done = make_order(status="delivered")
    pending = make_order()
    html = change_status(client, done, "paid").get_data(as_text=True)
    assert "Nothing changed" in html
    bulk(client, "mark_paid", [done, pending])
    assert fresh(done).status == "delivered" and fresh(pending).status == "paid"
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "order"))
    assert [(e.object_id, e.changes) for e in logged] == [
        (str(pending.id), {"status": ["pending", "paid"]})]


def test_ship_requires_carrier_and_tracking_number(client, auth):
    """Shipping without a carrier or tracking number is refused; with both it ships."""
    auth.login("staff")
    order = make_order(status="paid")
    html = change_status(client, order, "shipped", carrier="dhl").get_data(as_text=True)
    assert "Nothing changed" in html and "tracking number" in html
    assert fresh(order).status == "paid"
    html = change_status(client, order, "shipped", tracking_number="X1").get_data(as_text=True)
    assert "Nothing changed" in html
    assert fresh(order).status == "paid"
    change_status(client, order, "shipped", carrier="dhl", tracking_number="JD0001")
    shipped = fresh(order)
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == (
        "shipped", "dhl", "JD0001")
    html = client.get(detail_url(order)).get_data(as_text=True)
    assert "dhl.com" in html and "JD0001" in html


def test_ship_refuses_unknown_carrier(client, auth):
    """A carrier that is not in the list is refused."""
    auth.login("staff")
    order = make_order(status="paid")
    change_status(client, order, "shipped", carrier="pigeon", tracking_number="1")
    assert fresh(order).status == "paid"


def test_mark_delivered(client, auth):
    """A shipped order can be marked delivered."""
    auth.login("staff")
    order = make_order(status="shipped")
    change_status(client, order, "delivered")
    assert fresh(order).status == "delivered"
    assert fresh(order).delivered_at is not None


def test_cancel_returns_stock(client, auth):
    """Cancelling an order puts its stock back and records the movement."""
    auth.login("staff")
    product = make_product(stock=10)
    variant = product.variants[0]
    order = make_order(items=[(variant, 3)])
    assert db.session.get(Variant, variant.id).stock == 7
    html = change_status(client, order, "cancelled").get_data(as_text=True)
    assert "cancelled (stock returned)" in html
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).stock == 10
    movement = db.session.scalars(select(StockMovement).where(
        StockMovement.order_id == order.id, StockMovement.reason == "cancel")).one()
    assert movement.delta == 3


@pytest.mark.parametrize("status", ["pending", "delivered"])
def test_no_status_button_refunds_without_money(client, auth, status):
    """"Refunded" is reached only through a refund that sends money back: a status change
    to it is refused with a message, and nothing changes (tests/admin/test_refunds.py)."""
    auth.login("owner")
    order = make_order(status=status)
    html = change_status(client, order, "refunded", note="Returned damaged").get_data(
        as_text=True)
    assert "refunds are made with the Refund form" in html
    assert fresh(order).status == status and fresh(order).refunded_at is None
    assert events(order) == []
    assert db.session.scalar(select(EmailMessage.id).where(
        EmailMessage.order_id == order.id)) is None


@pytest.mark.parametrize(("status", "target"), [
    ("pending", "shipped"), ("pending", "delivered"),
    ("paid", "delivered"), ("shipped", "cancelled"), ("delivered", "cancelled"),
    ("cancelled", "paid"), ("refunded", "shipped"), ("refunded", "cancelled"),
])
def test_invalid_transition_is_refused_and_changes_nothing(client, auth, status, target):
    """A status change the order cannot make shows a clear message and changes nothing."""
    auth.login("staff")
    order = make_order(status=status)
    before = db.session.scalar(select(Variant.stock).where(
        Variant.id == order.lines[0].variant_id))
    html = change_status(client, order, target, carrier="dhl",
                         tracking_number="T").get_data(as_text=True)
    assert f"is {status} and cannot become {target}" in html
    assert fresh(order).status == status
    assert events(order) == []
    assert db.session.scalar(select(Variant.stock).where(
        Variant.id == order.lines[0].variant_id)) == before
    assert db.session.scalar(select(EmailMessage.id).where(
        EmailMessage.order_id == order.id)) is None


def test_detail_page_offers_only_possible_changes(client, auth):
    """A pending order offers Mark paid and Cancel, and nothing else."""
    auth.login("staff")
    order = make_order()
    html = client.get(detail_url(order)).get_data(as_text=True)
    buttons = re.findall(r'<input type="hidden" name="target" value="(\w+)">', html)
    assert buttons == ["paid"]  # "Cancel" asks first: a link to its confirmation page
    assert f'href="/admin/order/{order.id}/cancel"' in html


# -- bulk actions ------------------------------------------------------------------------------


def test_bulk_mark_paid_reports_each_failure(client, auth):
    """Marking several orders paid pays those that can be and names each one that cannot."""
    auth.login("staff")
    first, second = make_order(), make_order()
    cancelled = make_order(status="cancelled")
    html = bulk(client, "mark_paid", [first, second, cancelled]).get_data(as_text=True)
    assert "2 order(s) marked paid" in html
    assert "1 order(s) not changed" in html
    assert f"Order {cancelled.number} is cancelled and cannot become paid" in html
    assert [fresh(o).status for o in (first, second, cancelled)] == [
        "paid", "paid", "cancelled"]


@pytest.mark.parametrize(("action", "status", "target"), [
    ("mark_delivered", "shipped", "delivered"),
    ("cancel", "paid", "cancelled"),
])
def test_bulk_actions_change_each_order(client, auth, action, status, target):
    """Each bulk action moves every selected order through the order service."""
    auth.login("staff")
    orders = [make_order(status=status) for _ in range(3)]
    bulk(client, action, orders)
    assert {fresh(o).status for o in orders} == {target}
    assert all(len(events(o)) == 1 for o in orders)


def test_there_is_no_bulk_refund(client, auth):
    """The list offers no "Refund" bulk action, and posting one is refused (403)."""
    auth.login("staff")
    orders = [make_order(status="shipped") for _ in range(2)]
    html = client.get("/admin/order/").get_data(as_text=True)
    assert 'data-admin-action="cancel"' in html
    assert 'data-admin-action="refund"' not in html
    assert bulk(client, "refund", orders).status_code == 403
    assert {fresh(o).status for o in orders} == {"shipped"}


def test_bulk_ship_asks_for_tracking_per_order(client, auth):
    """Bulk shipping asks for a carrier and tracking number per order; an order left
    without one is reported and stays paid."""
    auth.login("staff")
    first, second = make_order(status="paid"), make_order(status="paid")
    pending = make_order()
    response = client.post("/admin/order/action/", data={
        "action": "ship", "rowid": [str(first.id), str(second.id), str(pending.id)],
        "csrf_token": csrf_from(client, "/admin/order/")})
    assert response.status_code == 302
    form_url = response.headers["Location"]
    html = client.get(form_url).get_data(as_text=True)
    assert first.number in html and second.number in html
    token = csrf_from(client, form_url)
    html = client.post("/admin/order/ship/", data={
        "csrf_token": token, "ids": f"{first.id},{second.id},{pending.id}",
        f"carrier-{first.id}": "ups", f"tracking-{first.id}": "1Z999",
        f"carrier-{second.id}": "ups", f"tracking-{second.id}": "",
        f"carrier-{pending.id}": "ups", f"tracking-{pending.id}": "1Z000",
    }, follow_redirects=True).get_data(as_text=True)
    assert "1 order(s) shipped" in html
    assert f"{second.number}: Shipping needs a carrier and a tracking number" in html
    assert f"Order {pending.number} is pending and cannot become shipped" in html
    assert (fresh(first).status, fresh(first).tracking_number) == ("shipped", "1Z999")
    assert fresh(second).status == "paid"
    assert fresh(pending).status == "pending"


def test_bulk_action_needs_csrf(client, auth):
    """A bulk action posted without the form's token changes nothing."""
    auth.login("staff")
    order = make_order()
    response = client.post("/admin/order/action/", data={
        "action": "mark_paid", "rowid": [str(order.id)]})
    assert response.status_code == 400
    assert fresh(order).status == "pending"


# -- notes, packing slip, export ----------------------------------------------------------------


def test_internal_note_is_shown_to_staff_not_to_the_customer(client, auth, app):
    """A note added in the back office shows on the order's page for staff, never on the
    customer's own order page."""
    customer = auth.user("customer")
    order = make_order(user=customer)
    auth.login("staff")
    token = csrf_from(client, detail_url(order))
    client.post(f"/admin/order/{order.id}/notes",
                data={"body": "Customer rang: leave with neighbour", "csrf_token": token})
    assert "leave with neighbour" in client.get(detail_url(order)).get_data(as_text=True)
    auth.logout()
    auth.login("customer")
    page = client.get(f"/orders/{order.number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert order.number in html
    assert "neighbour" not in html


def test_empty_note_is_refused(client, auth):
    """An empty note is not saved."""
    auth.login("staff")
    order = make_order()
    token = csrf_from(client, detail_url(order))
    html = client.post(f"/admin/order/{order.id}/notes", data={"body": "", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "write something first" in html
    assert fresh(order).notes == []


def test_packing_slip_lists_the_parcel_without_prices(client, auth):
    """The printable packing slip shows the order, address, lines, SKUs and quantities, and
    no price at all."""
    auth.login("staff")
    product = make_product(name="Bread, Slowly", price="18.00",
                           variants=[{"sku": "BREAD-1", "stock": 5}])
    order = make_order(items=[(product.variants[0], 2)])
    assert f"/admin/order/{order.id}/packing-slip" in client.get(detail_url(order)).get_data(
        as_text=True)
    response = client.get(f"/admin/order/{order.id}/packing-slip")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (order.number, "Packing slip", "Ada Lovelace", "1 Analytical Row",
                 "Bread, Slowly", "BREAD-1"):
        assert text in html
    assert re.search(r'class="num">2<', html)
    for price in ("18.00", "36.00", "4.90", "40.90", "€", "Total", "Invoice"):
        assert price not in html
    assert "<script" not in html


def test_csv_export_lists_filtered_orders(client, auth):
    """Exporting orders gives a CSV with one row per order, following the list's filter."""
    auth.login("staff")
    paid = make_order(status="paid", email="paid@example.com")
    pending = make_order(email="pending@example.com")
    response = client.get("/admin/order/export/csv/?flt0_status_equals=paid")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.splitlines()[0].startswith("Order,")
    assert paid.number in body and "paid@example.com" in body
    assert pending.number not in body
    assert str(paid.total) in body


def test_csv_export_neutralizes_formulas_and_is_audited(client, auth):
    """A guest named like a spreadsheet formula lands in the orders CSV as plain text, and
    the export is logged with who exported how many rows."""
    import csv
    import io

    from store.models import AuditEvent

    staff = auth.login("staff")
    evil = '=HYPERLINK("http://x","y")'
    order = make_order(email="guest@example.com", full_name=evil, phone="-1+1")
    response = client.get("/admin/order/export/csv/")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    row = next(r for r in rows if r["Order"] == order.number)
    assert row["Ship to"] == "'" + evil
    assert row["Phone"] == "'-1+1"
    assert row["Total"] == str(order.total)
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (event.user_id, event.object_type, event.changes) == (staff.id, "order",
                                                                 {"rows": [None, 1]})


# -- list filters and search -------------------------------------------------------------------


def test_list_filters_and_search(client, auth):
    """The list filters by status, payment method, customer email and date, and searches
    by order number or email."""
    from datetime import timedelta

    from store.models.base import utcnow

    auth.login("staff")
    old = make_order(email="old@example.com", created_at=utcnow() - timedelta(days=40))
    paid = make_order(status="paid", email="paid@example.com", payment_method="stripe")
    pending = make_order(email="pending@example.com")

    def listed(query):
        html = client.get("/admin/order/?" + query).get_data(as_text=True)
        return {o.number for o in (old, paid, pending) if o.number in html}

    assert listed("flt0_status_equals=paid") == {paid.number}
    assert listed("flt0_payment_method_equals=stripe") == {paid.number}
    assert listed("flt0_customer_email_equals=pending@example.com") == {pending.number}
    assert listed("flt0_customer_email_contains=old@") == {old.number}
    today = utcnow().date()
    assert listed(f"flt0_created_between={today - timedelta(days=1)}+to+{today}") == {
        paid.number, pending.number}
    assert listed(f"flt0_created_on_or_before={today - timedelta(days=30)}") == {old.number}
    assert listed(f"search={paid.number}") == {paid.number}
    assert listed("search=pending@") == {pending.number}


def test_order_list_query_count_does_not_grow(client, auth, count_queries):
    """The order list runs as many SQL statements for 1,000 orders as for 10."""
    from tests.factories import bulk_orders

    customer = auth.user("customer")
    auth.login("staff")
    bulk_orders(10, user=customer)
    client.get("/admin/order/")
    db.session.remove()  # each measured request starts from an empty session
    with count_queries() as small:
        assert client.get("/admin/order/?page_size=50").status_code == 200
    bulk_orders(990, user=customer)
    db.session.remove()
    with count_queries() as large:
        html = client.get("/admin/order/?page_size=50").get_data(as_text=True)
    assert html.count("badge-status") == 50
    assert len(large) == len(small), (small, large)
