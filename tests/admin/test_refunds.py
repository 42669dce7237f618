"""Back-office refunds: the Refund card, its confirmation page, and refusals that change
nothing."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.extensions import db
from store.models import EmailMessage, Order, Refund, StockMovement, Variant
from tests.conftest import csrf_from
from tests.factories import make_order, make_product


def detail_url(order) -> str:
    return f"/admin/order/details/?id={order.id}"


def fresh(order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def paid_order(status="paid"):
    """3 mugs at 10.00 and 1 poster at 15.00, shipping 4.90: 49.90, paid by bank transfer."""
    mug = make_product(name="Mug", price="10.00", stock=10).variants[0]
    poster = make_product(name="Poster", price="15.00", stock=10).variants[0]
    order = make_order(items=[(mug, 3), (poster, 1)], status=status)
    lines = {line.sku: line.id for line in order.lines}
    return order, lines[mug.sku], lines[poster.sku], mug


def review(client, order, **fields):
    """Post the Refund card (step 1); returns the page it leads to."""
    data = {"csrf_token": csrf_from(client, detail_url(order)), "shipping": "0",
            "reason": "", "reference": "", **fields}
    return client.post(f"/admin/order/{order.id}/refund", data=data, follow_redirects=True)


def confirm_form(html: str) -> dict:
    """The hidden fields of the confirmation page's "Confirm refund" form."""
    form = html[html.index('action="/admin/order/'):html.index("Confirm refund")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                     form).group(1)
    return fields


def nothing_refunded(order) -> None:
    assert fresh(order).refunded_total == Decimal("0.00")
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert db.session.scalar(select(EmailMessage.id).where(
        EmailMessage.kind == "order_refunded")) is None


def test_refund_is_reviewed_then_confirmed(client, auth):
    """Staff choose 2 mugs (restocked) and a bank reference; the confirmation page shows the
    amount, VAT and method and changes nothing; "Confirm refund" makes it, and the order
    page lists it, shows "Partially refunded" and has it in the timeline."""
    auth.login("staff")
    order, mug_line, _poster_line, mug = paid_order()
    page = client.get(detail_url(order)).get_data(as_text=True)
    assert 'id="refund"' in page and f'name="qty-{mug_line}"' in page
    assert 'max="3"' in page and "Bank transfer reference" in page
    html = review(client, order, **{f"qty-{mug_line}": "2", f"restock-{mug_line}": "1",
                                    "reference": "BANK-42", "reason": "Chipped"}
                  ).get_data(as_text=True)
    assert "Refund order" in html and "Confirm refund" in html
    assert re.search(r'id="refund-amount">€20.00<', html)
    assert "BANK-42" in html and "returned to stock" in html
    nothing_refunded(order)
    stock_before = db.session.get(Variant, mug.id).stock
    fields = confirm_form(html)
    assert fields[f"qty-{mug_line}"] == "2" and fields["reference"] == "BANK-42"
    done = client.post(f"/admin/order/{order.id}/refund/confirm", data=fields,
                       follow_redirects=True).get_data(as_text=True)
    assert f"Refunded 20.00 EUR on order {order.number}" in done
    order = fresh(order)
    assert order.refunded_total == Decimal("20.00") and order.status == "paid"
    db.session.expire_all()
    assert db.session.get(Variant, mug.id).stock == stock_before + 2
    assert db.session.scalar(select(StockMovement.reason).where(
        StockMovement.order_id == order.id, StockMovement.delta == 2)) == "refund"
    assert "Partially refunded" in done and 'id="refunds"' in done
    assert "BANK-42" in done and "order-event-refund" in done
    assert "Partially refunded" in client.get("/admin/order/").get_data(as_text=True)


def test_refund_everything_fills_in_every_line_and_the_shipping(client, auth):
    """"Refund everything" reviews the whole order; confirmed, the order becomes refunded
    and the Refund card disappears."""
    auth.login("owner")
    order, mug_line, poster_line, _mug = paid_order(status="shipped")
    html = review(client, order, everything="1", reference="TR-9").get_data(as_text=True)
    assert re.search(r'id="refund-amount">€49.90<', html)
    fields = confirm_form(html)
    assert (fields[f"qty-{mug_line}"], fields[f"qty-{poster_line}"]) == ("3", "1")
    assert fields["shipping"] == "4.90"
    done = client.post(f"/admin/order/{order.id}/refund/confirm", data=fields,
                       follow_redirects=True).get_data(as_text=True)
    assert fresh(order).status == "refunded"
    assert 'id="refund"' not in done and "Partially refunded" not in done


@pytest.mark.parametrize(("fields", "message"), [
    ({"qty-{mug}": "4"}, "only 3 unit(s) are left"),
    ({"qty-{mug}": "-1"}, "cannot be negative"),
    ({"qty-{mug}": "two"}, "is not a number of units"),
    ({}, "Choose at least one unit or some shipping"),
    ({"shipping": "5.00"}, "of shipping is left"),
    ({"qty-{other}": "1"}, "not a line of this order"),
])
def test_bad_refund_forms_are_refused_with_a_message(client, auth, fields, message):
    """Too many units, a negative or non-number quantity, nothing chosen, too much shipping,
    or a line of another order: a clear message on the order page, nothing refunded."""
    auth.login("staff")
    order, mug_line, _poster, _mug = paid_order()
    other, other_line, _p, _m = paid_order()
    posted = {key.format(mug=mug_line, other=other_line): value
              for key, value in {"reference": "B-1", **fields}.items()}
    html = review(client, order, **posted).get_data(as_text=True)
    assert "Nothing refunded" in html and message in html
    assert "Confirm refund" not in html
    nothing_refunded(order)
    # The confirmation step checks again: a tampered form is refused the same way.
    posted["csrf_token"] = csrf_from(client, detail_url(order))
    html = client.post(f"/admin/order/{order.id}/refund/confirm", data=posted,
                       follow_redirects=True).get_data(as_text=True)
    assert "Nothing refunded" in html and message in html
    nothing_refunded(order)


def test_a_bank_refund_needs_its_reference(client, auth):
    """Confirming a manual refund without the bank transfer's reference changes nothing."""
    auth.login("staff")
    order, mug_line, _poster, _mug = paid_order()
    html = client.post(f"/admin/order/{order.id}/refund/confirm", data={
        "csrf_token": csrf_from(client, detail_url(order)), f"qty-{mug_line}": "1",
        "shipping": "0", "reference": ""}, follow_redirects=True).get_data(as_text=True)
    assert "reference of the bank transfer" in html
    nothing_refunded(order)


def test_an_unpaid_order_offers_no_refund_and_refuses_one(client, auth):
    """A pending order has no Refund card, and a posted refund is refused."""
    auth.login("staff")
    order, mug_line, _poster, _mug = paid_order(status="pending")
    assert 'id="refund"' not in client.get(detail_url(order)).get_data(as_text=True)
    html = review(client, order, **{f"qty-{mug_line}": "1", "reference": "B"}).get_data(
        as_text=True)
    assert "only paid, shipped or delivered orders can be refunded" in html
    nothing_refunded(order)


def test_staff_without_orders_manage_cannot_refund(client, auth, app):
    """Someone who may only read orders sees no Refund card and gets 403 on both steps."""
    app.extensions["security"].datastore.create_role(
        name="viewer", permissions=["admin-access", "orders-read"])
    db.session.commit()
    auth.login("viewer", email="viewer@example.com")
    order, mug_line, _poster, _mug = paid_order()
    assert 'id="refund"' not in client.get(detail_url(order)).get_data(as_text=True)
    token = csrf_from(client, detail_url(order))
    data = {"csrf_token": token, f"qty-{mug_line}": "1", "shipping": "0", "reference": "B"}
    assert client.post(f"/admin/order/{order.id}/refund", data=data).status_code == 403
    assert client.post(f"/admin/order/{order.id}/refund/confirm",
                       data=data).status_code == 403
    nothing_refunded(order)


def test_refund_without_csrf_is_refused(client, auth, app):
    """A confirm posted without the CSRF token refunds nothing."""
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login("staff")
    order, mug_line, _poster, _mug = paid_order()
    response = client.post(f"/admin/order/{order.id}/refund/confirm", data={
        f"qty-{mug_line}": "1", "shipping": "0", "reference": "B"}, follow_redirects=True)
    assert response.status_code in (200, 400)
    nothing_refunded(order)
