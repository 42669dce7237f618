"""Back office: "Cancel" asks first, showing the order, its lines and that the stock returns."""

import re

from sqlalchemy import func, select

from store.extensions import db
from store.models import EmailMessage, Order, OrderEvent, Variant
from tests.factories import make_order, make_product


def cancel_url(order) -> str:
    return f"/admin/order/{order.id}/cancel"


def state(order, variant_id) -> tuple:
    db.session.expire_all()
    return (db.session.get(Order, order.id).status,
            db.session.scalar(select(Variant.stock).where(Variant.id == variant_id)),
            db.session.scalar(select(func.count(OrderEvent.id))
                              .where(OrderEvent.order_id == order.id)),
            db.session.scalar(select(func.count(EmailMessage.id))
                              .where(EmailMessage.order_id == order.id)))


def test_staff_confirm_then_the_order_is_cancelled(client, auth):
    """The detail page's Cancel opens a confirmation that changes nothing; confirming cancels,
    returns the stock and notes why on the timeline."""
    auth.login("staff")
    product = make_product(name="Moonstone Ring", stock=10)
    variant_id = product.variants[0].id
    order = make_order(items=[(product.variants[0], 3)], country="DE")
    before = state(order, variant_id)
    assert before[:2] == ("pending", 7)

    details = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert f'href="{cancel_url(order)}"' in details
    response = client.get(cancel_url(order))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Cancel order {order.number}?" in page
    assert "Moonstone Ring" in page and "3 back on sale" in page
    assert "Germany" in page and "Bank transfer or pay on delivery" in page
    assert "Nothing was paid" in page
    assert "Confirm cancellation" in page
    assert f'href="/admin/order/details/?id={order.id}">Back</a>' in page
    assert state(order, variant_id) == before

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/admin/order/{order.id}/status", follow_redirects=True, data={
        "csrf_token": token, "target": "cancelled", "note": "Customer phoned"})
    assert "cancelled (stock returned)" in response.get_data(as_text=True)
    status, stock, events, _emails = state(order, variant_id)
    assert (status, stock, events) == ("cancelled", 10, 1)
    assert db.session.scalar(select(OrderEvent.note).where(
        OrderEvent.order_id == order.id)) == "Customer phoned"


def test_a_paid_order_warns_that_the_customer_is_told_of_a_refund(client, auth):
    """Cancelling a paid order says the customer will be told about a refund."""
    auth.login("staff")
    order = make_order(status="paid")
    page = client.get(cancel_url(order)).get_data(as_text=True)
    assert "This order was paid on" in page and "refund the payment separately" in page


def test_an_order_that_cannot_be_cancelled_has_no_confirmation(client, auth):
    """A shipped order sends staff back to it with the reason; nothing changes."""
    auth.login("staff")
    order = make_order(status="shipped")
    variant_id = order.lines[0].variant_id
    before = state(order, variant_id)
    response = client.get(cancel_url(order), follow_redirects=True)
    assert f"order {order.number} is shipped and cannot be cancelled" in response.get_data(
        as_text=True)
    assert state(order, variant_id) == before
    assert client.get("/admin/order/999999/cancel", follow_redirects=True).status_code == 200


def test_only_staff_who_manage_orders_see_the_confirmation(client, auth):
    """A customer gets 403 on the confirmation page."""
    auth.login("customer")
    order = make_order()
    assert client.get(cancel_url(order)).status_code == 403


def test_order_list_marks_rows_so_bulk_cancel_can_name_them(client, auth):
    """The bulk actions' confirmation can name the selected orders: each row carries its
    number, and the list still asks before a bulk cancel."""
    auth.login("staff")
    first, second = make_order(), make_order()
    html = client.get("/admin/order/").get_data(as_text=True)
    assert f'data-row-label="{first.number}"' in html
    assert f'data-row-label="{second.number}"' in html
    assert "Cancel the selected orders and return their stock?" in html
