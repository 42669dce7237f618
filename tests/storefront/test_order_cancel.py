"""A customer is asked before their order is cancelled; only the confirmed POST cancels."""

import re

from sqlalchemy import func, select

from store.extensions import db
from store.models import EmailMessage, Order, OrderEvent, Variant
from store.orders import services as order_service
from tests.conftest import Auth
from tests.factories import make_product
from tests.shopping import (
    add_to_cart,
    checkout,
    flashes,
    hidden,
    isolated_requests,  # noqa: F401  (fixture)
)


def stock(variant_id) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


def buy(client, variant_id, quantity=1, **fields) -> tuple[Order, str]:
    add_to_cart(client, variant_id, quantity)
    response = checkout(client, **fields)
    assert response.status_code == 303
    return db.session.scalar(select(Order).order_by(Order.id.desc())), response.headers["Location"]


def what_changed(order) -> tuple:
    db.session.expire_all()
    return (db.session.get(Order, order.id).status,
            db.session.scalar(select(func.count(OrderEvent.id))
                              .where(OrderEvent.order_id == order.id)),
            db.session.scalar(select(func.count(EmailMessage.id))
                              .where(EmailMessage.order_id == order.id)))


def test_cancel_asks_first_and_only_the_confirmation_cancels(client, auth):
    """"Cancel this order" opens a page that says what happens and changes nothing; "Yes,
    cancel the order" cancels and the stock returns; "Keep my order" leads back."""
    product = make_product(name="Harbour Tee", stock=5)
    variant_id = product.variants[0].id
    auth.login("customer")
    order, url = buy(client, variant_id, 2)
    before = what_changed(order)

    page = client.get(url).get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+)">Cancel this order</a>', page)
    assert link and link.group(1) == f"/orders/{order.number}/cancel"
    response = client.get(link.group(1))
    assert response.status_code == 200
    confirm = response.get_data(as_text=True)
    assert f"Cancel order {order.number}?" in confirm
    assert "2 × Harbour Tee" in confirm
    assert "the items go back on sale" in confirm
    assert "Nothing has been charged" in confirm
    assert "Yes, cancel the order" in confirm
    assert f'href="/orders/{order.number}">Keep my order</a>' in confirm
    assert what_changed(order) == before and stock(variant_id) == 3

    response = client.post(f"/orders/{order.number}/cancel",
                           data={"csrf_token": hidden(confirm, "csrf_token")},
                           follow_redirects=True)
    assert f"Your order {order.number} is cancelled." in flashes(response.get_data(as_text=True))
    assert what_changed(order)[0] == "cancelled" and stock(variant_id) == 5


def test_guest_confirms_with_their_link_and_strangers_get_404(app, client):
    """A guest's confirmation page works from their signed link; anyone else gets 404 on the
    page and on the cancel itself, and nothing changes."""
    product = make_product(stock=5)
    order, url = buy(client, product.variants[0].id)
    token = url.split("token=")[1]
    before = what_changed(order)

    stranger = app.test_client()
    assert stranger.get(f"/orders/{order.number}/cancel").status_code == 404
    assert stranger.get(f"/orders/{order.number}/cancel?token=forged").status_code == 404
    Auth(app, stranger).login("customer", "stranger@example.com")
    assert stranger.get(f"/orders/{order.number}/cancel").status_code == 404
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     stranger.get("/").get_data(as_text=True)).group(1)
    assert stranger.post(f"/orders/{order.number}/cancel",
                         data={"csrf_token": csrf}).status_code == 404
    assert what_changed(order) == before

    confirm = client.get(f"/orders/{order.number}/cancel?token={token}").get_data(as_text=True)
    assert f'href="/orders/{order.number}?token={token}">Keep my order</a>' in confirm
    assert hidden(confirm, "token") == token
    client.post(f"/orders/{order.number}/cancel",
                data={"csrf_token": hidden(confirm, "csrf_token"), "token": token})
    assert what_changed(order)[0] == "cancelled"


def test_confirmation_without_csrf_changes_nothing(client, auth):
    """The confirmed cancel still needs its CSRF token."""
    product = make_product(stock=5)
    auth.login("customer")
    order, _url = buy(client, product.variants[0].id)
    before = what_changed(order)
    response = client.post(f"/orders/{order.number}/cancel", data={}, follow_redirects=True)
    assert response.status_code in (200, 400)
    assert what_changed(order) == before


def test_a_paid_order_has_no_confirmation_page(client, auth):
    """Once paid, the confirmation page sends the customer back with a clear message."""
    product = make_product(stock=5)
    auth.login("customer")
    order, _url = buy(client, product.variants[0].id)
    order_service.transition(order.id, "paid")
    before = what_changed(order)
    response = client.get(f"/orders/{order.number}/cancel", follow_redirects=True)
    assert any("please contact us" in m for m in flashes(response.get_data(as_text=True)))
    assert what_changed(order) == before


def test_confirmation_reads_in_spanish(client, auth):
    """A Spanish reader is asked in Spanish."""
    product = make_product(stock=5)
    auth.login("customer")
    order, _url = buy(client, product.variants[0].id)
    page = client.get(f"/orders/{order.number}/cancel",
                      headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert f"¿Cancelar el pedido {order.number}?" in page
    assert "Sí, cancelar el pedido" in page and "Mantener mi pedido" in page


def test_thank_you_page_leads_with_the_order_not_the_cancel_button(client, auth):
    """On the thank-you page the lines and the total come first; "Cancel this order" sits
    below the summary, not above it."""
    product = make_product(name="Harbour Tee", stock=5)
    auth.login("customer")
    _order, url = buy(client, product.variants[0].id)
    page = client.get(url).get_data(as_text=True)
    assert "Cancel this order" in page
    assert page.index("Harbour Tee") < page.index('class="order-total') \
        < page.index("Cancel this order")
