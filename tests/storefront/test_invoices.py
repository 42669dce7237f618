"""Customers download their invoice and credit notes from the order page, and nobody else can."""

import re

import pytest

from store.database import write_transaction
from store.orders import invoices
from store.orders import services as orders
from store.orders.access import access_token
from tests.conftest import Auth
from tests.factories import make_order
from tests.invoicing import SELLER, make_refund, pay, pdf_text, two_rate_order


@pytest.fixture
def app_config():
    return {**SELLER, "STORE_DELIVER_AFTER_REQUEST": False}


def assert_pdf(response, filename: str) -> str:
    """The response is the PDF download named `filename`; returns its text."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "private, no-store"
    return pdf_text(response.get_data())


def test_owner_downloads_the_invoice_from_the_order_page(app, client, auth):
    """A signed-in customer finds the invoice link on their order page and gets the PDF."""
    user = auth.login("customer")
    order = two_rate_order(user=user)
    invoice = pay(order)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    link = f"/orders/{order.number}/invoice.pdf"
    assert f'href="{link}"' in html and f"Invoice {invoice.number}" in html
    text = assert_pdf(client.get(link), f"{invoice.number}.pdf")
    assert invoice.number in text and "Tienda Ñandú S.L." in text


def test_another_customer_or_a_visitor_gets_not_found(app, client, auth):
    """Someone else's invoice is 404, for another customer and for a visitor."""
    owner = auth.user("customer", "owner@example.com")
    order = two_rate_order(user=owner)
    pay(order)
    url = f"/orders/{order.number}/invoice.pdf"
    assert client.get(url).status_code == 404
    auth.login("customer", "other@example.com")
    assert client.get(url).status_code == 404
    assert client.get(f"{url}?token={access_token(order)}").status_code == 404


def test_guest_needs_the_signed_link(app, client):
    """A guest opens the invoice with the order's signed token; without it, or forged, 404."""
    order = two_rate_order(email="guest@example.com")
    invoice = pay(order)
    token = access_token(order)
    html = client.get(f"/orders/{order.number}?token={token}").get_data(as_text=True)
    assert f"/orders/{order.number}/invoice.pdf?token={token}" in html
    assert_pdf(client.get(f"/orders/{order.number}/invoice.pdf?token={token}"),
               f"{invoice.number}.pdf")
    assert client.get(f"/orders/{order.number}/invoice.pdf").status_code == 404
    assert client.get(f"/orders/{order.number}/invoice.pdf?token=forged").status_code == 404
    other = make_order()
    assert client.get(f"/orders/{order.number}/invoice.pdf?token={access_token(other)}"
                      ).status_code == 404


def test_no_invoice_before_payment(app, client):
    """A pending order, or one cancelled unpaid, has no invoice: 404 and no link."""
    pending = make_order()
    cancelled = make_order()
    orders.transition(cancelled.id, "cancelled")
    for order in (pending, cancelled):
        token = access_token(order)
        assert client.get(f"/orders/{order.number}/invoice.pdf?token={token}"
                          ).status_code == 404
        html = client.get(f"/orders/{order.number}?token={token}").get_data(as_text=True)
        assert "invoice.pdf" not in html
    assert client.get("/orders/SS-NONE-NONE/invoice.pdf").status_code == 404


def test_credit_notes_follow_the_same_rule(app, client):
    """A credit note is linked on the order page and opens only for the order's viewer."""
    order = two_rate_order(email="guest@example.com")
    invoice = pay(order)
    refund = make_refund(order, [(order.lines[1], 1, "10.40", "0.40")])
    with write_transaction():
        note = invoices.issue_credit_note(refund)
    token = access_token(order)
    html = client.get(f"/orders/{order.number}?token={token}").get_data(as_text=True)
    url = f"/orders/{order.number}/credit-notes/{note.number}.pdf"
    assert f"{url}?token={token}" in html and f"Credit note {note.number}" in html
    text = assert_pdf(client.get(f"{url}?token={token}"), f"{note.number}.pdf")
    assert f"(for invoice {invoice.number})" in text and "Total €10.40" in text
    assert client.get(url).status_code == 404
    # The invoice's number is no credit note, and another order's credit note is not here.
    assert client.get(f"/orders/{order.number}/credit-notes/{invoice.number}.pdf"
                      f"?token={token}").status_code == 404
    other = make_order()
    pay(other)
    assert client.get(f"/orders/{other.number}/credit-notes/{note.number}.pdf"
                      f"?token={access_token(other)}").status_code == 404


def test_spanish_order_page_links_the_invoice_in_spanish(app, client):
    """The order page of a Spanish visitor names the documents in Spanish."""
    order = two_rate_order(locale="es")
    invoice = pay(order)
    token = access_token(order)
    html = client.get(f"/orders/{order.number}?token={token}",
                      headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert re.search(rf"Factura {invoice.number}", html)
    assert "Facturas" in html


def test_invoice_download_is_for_the_owner_signed_in(app, client):
    """After signing out, the owner's invoice link is 404 like any stranger's."""
    auth = Auth(app, client)
    user = auth.login("customer")
    order = make_order(user=user)
    pay(order)
    assert client.get(f"/orders/{order.number}/invoice.pdf").status_code == 200
    auth.logout()
    assert client.get(f"/orders/{order.number}/invoice.pdf").status_code == 404
