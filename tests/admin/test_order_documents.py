"""Back-office order documents: staff see an order's invoice and credit notes and download them."""

import pytest

from store.database import write_transaction
from store.extensions import db
from store.orders import invoices
from tests.conftest import csrf_from
from tests.factories import make_order
from tests.invoicing import SELLER, make_refund, pay, pdf_text, two_rate_order


@pytest.fixture
def app_config():
    return {**SELLER, "STORE_DELIVER_AFTER_REQUEST": False}


def detail_url(order) -> str:
    return f"/admin/order/details/?id={order.id}"


def test_staff_mark_paid_and_download_the_invoice(client, auth):
    """Staff mark an order paid on its page; the invoice appears there and downloads as PDF."""
    auth.login("staff")
    order = two_rate_order()
    page = client.get(detail_url(order)).get_data(as_text=True)
    assert "None yet: the invoice is issued when the order is paid." in page
    client.post(f"/admin/order/{order.id}/status", data={
        "target": "paid", "csrf_token": csrf_from(client, detail_url(order))})
    invoice = invoices.invoice_of(order)
    page = client.get(detail_url(order)).get_data(as_text=True)
    link = f"/admin/order/{order.id}/documents/{invoice.id}.pdf"
    assert link in page and f"Invoice {invoice.number}" in page
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{invoice.number}.pdf"')
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.get_data())
    assert invoice.number in text and "Total €55.95" in text


def test_bulk_mark_paid_issues_one_invoice_each(client, auth):
    """Marking several orders paid from the list gives each its own consecutive invoice."""
    auth.login("staff")
    first, second = make_order(), make_order()
    client.post("/admin/order/action/", data={
        "action": "mark_paid", "rowid": [str(first.id), str(second.id)],
        "csrf_token": csrf_from(client, "/admin/order/")})
    db.session.expire_all()
    issued = sorted(invoices.invoice_of(o).sequence for o in (first, second))
    assert issued == [1, 2]


def test_credit_notes_are_listed_with_the_invoice(client, auth):
    """An order's credit notes are listed under its invoice, each downloadable."""
    auth.login("staff")
    order = two_rate_order()
    pay(order)
    refund = make_refund(order, [(order.lines[0], 1, "30.25", "5.25")])
    with write_transaction():
        note = invoices.issue_credit_note(refund)
    page = client.get(detail_url(order)).get_data(as_text=True)
    assert f"Credit note {note.number}" in page
    response = client.get(f"/admin/order/{order.id}/documents/{note.id}.pdf")
    assert "Linen Shirt" in pdf_text(response.get_data())


def test_a_document_of_another_order_is_not_found(client, auth):
    """A document id under the wrong order is 404, as is an unknown one."""
    auth.login("staff")
    order, other = make_order(), make_order()
    invoice = pay(order)
    assert client.get(f"/admin/order/{other.id}/documents/{invoice.id}.pdf").status_code == 404
    assert client.get(f"/admin/order/{order.id}/documents/999.pdf").status_code == 404


def test_staff_without_orders_read_get_forbidden(client, auth, app):
    """Staff whose role lacks orders-read get 403 on documents and the packing slip."""
    app.extensions["security"].datastore.create_role(
        name="cataloguer", permissions=["admin-access", "catalog-write"])
    db.session.commit()
    order = make_order()
    invoice = pay(order)
    auth.login("cataloguer", email="cataloguer@example.com")
    assert client.get(f"/admin/order/{order.id}/documents/{invoice.id}.pdf").status_code == 403
    assert client.get(f"/admin/order/{order.id}/packing-slip").status_code == 403


def test_customer_cannot_use_the_back_office_link(client, auth):
    """A customer (even the buyer) gets 403 on the back-office document link."""
    user = auth.login("customer")
    order = make_order(user=user)
    invoice = pay(order)
    assert client.get(f"/admin/order/{order.id}/documents/{invoice.id}.pdf").status_code == 403
