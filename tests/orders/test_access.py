"""Who may see and cancel an order: its owner, or a guest holding the signed link."""

import pytest
from sqlalchemy import select

from store.errors import NotFound
from store.extensions import db
from store.models import Order, Variant
from store.orders import services as orders
from store.orders.access import access_token, may_view
from store.support import services as support
from tests.conftest import Auth, csrf_from
from tests.factories import make_order, make_product


def status_of(order) -> str:
    db.session.rollback()
    return db.session.scalar(select(Order.status).where(Order.id == order.id))


def stock(variant_id) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


class Visitor:
    """Someone not signed in."""

    is_authenticated = False
    id = None


def test_who_may_view_an_order(app, auth):
    """A customer's order opens for that customer only; a guest order for its signed link
    (and, for a support ticket only, for the address it was placed with)."""
    owner = auth.user("customer")
    other = auth.user("customer", "other@example.com")
    mine = make_order(user=owner)
    guest = make_order(email="guest@example.com")
    with app.test_request_context():
        assert may_view(mine, owner)
        assert not may_view(mine, other)
        assert not may_view(mine, Visitor(), token=access_token(mine))
        assert may_view(guest, Visitor(), token=access_token(guest))
        assert not may_view(guest, Visitor())
        assert not may_view(guest, other, token=access_token(mine))
        assert not may_view(guest, Visitor(), token="forged")
        assert may_view(guest, Visitor(), email=" Guest@Example.com")
        assert not may_view(mine, Visitor(), email=owner.email)


def test_a_stranger_cannot_cancel_through_the_service(app, auth):
    """Another signed-in customer, or a guest without the signed token, cannot cancel an
    order, even by calling the cancel service directly: nothing changes."""
    owner = auth.user("customer")
    other = auth.user("customer", "other@example.com")
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    mine = make_order(user=owner, items=[(product.variants[0], 1)])
    guest = make_order(email="guest@example.com", items=[(product.variants[0], 1)])
    with app.test_request_context():
        for number, viewer, token in [
            (mine.number, other, None),
            (mine.number, Visitor(), access_token(mine)),
            (guest.number, Visitor(), None),
            (guest.number, other, None),
            (guest.number, Visitor(), access_token(mine)),
        ]:
            with pytest.raises(NotFound):
                orders.cancel_by_customer(number, viewer, token=token)
    assert status_of(mine) == status_of(guest) == "pending"
    assert stock(variant_id) == 3


def test_the_owner_and_the_guest_with_the_link_can_cancel(app, auth):
    """The customer who placed an order, and a guest holding its signed link, cancel it
    and its stock goes back."""
    owner = auth.user("customer")
    product = make_product(stock=5)
    variant_id = product.variants[0].id
    mine = make_order(user=owner, items=[(product.variants[0], 1)])
    guest = make_order(email="guest@example.com", items=[(product.variants[0], 1)])
    with app.test_request_context():
        orders.cancel_by_customer(mine.number, owner)
        orders.cancel_by_customer(guest.number, Visitor(), token=access_token(guest))
    assert status_of(mine) == status_of(guest) == "cancelled"
    assert stock(variant_id) == 5


def test_another_customer_cannot_cancel_from_the_storefront(app, client, auth):
    """Another signed-in customer posting the cancel button of someone's order gets 404,
    and the order stays as it was."""
    owner = auth.user("customer")
    order = make_order(user=owner)
    guest_order = make_order(email="guest@example.com")
    stranger = app.test_client()
    Auth(app, stranger).login("customer", "stranger@example.com")
    token = csrf_from(stranger, "/")
    for number in (order.number, guest_order.number):
        response = stranger.post(f"/orders/{number}/cancel", data={"csrf_token": token})
        assert response.status_code == 404
    assert status_of(order) == status_of(guest_order) == "pending"


def test_a_support_ticket_links_only_the_askers_order(app, auth):
    """A ticket names an order: it is linked for its owner, or for a guest order placed with
    the asker's address, and for nobody else."""
    owner = auth.user("customer")
    mine = make_order(user=owner)
    guest = make_order(email="guest@example.com")
    with app.test_request_context():
        assert support.customer_order(mine.number.lower(), owner.email, owner) == mine
        assert support.customer_order(mine.number, owner.email, Visitor()) is None
        assert support.customer_order(guest.number, "guest@example.com", Visitor()) == guest
        assert support.customer_order(guest.number, "someone@example.com", owner) is None
