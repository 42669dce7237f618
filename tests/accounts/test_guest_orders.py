"""Guest orders join the account once the customer confirms the email they were placed with."""

import re

from sqlalchemy import select

from store.accounts.customers import customer_stats
from store.accounts.guest_orders import LINK_ACTION, link_guest_orders
from store.accounts.services import create_user
from store.extensions import db
from store.models import AuditEvent, Order, User
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_order, make_product


def _register(client, email: str):
    response = client.post("/register", data={
        "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
        "csrf_token": csrf_from(client, "/register")})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return db.session.scalar(select(User).where(User.email == email))


def _confirm_path(smtp) -> str:
    body = smtp.text(smtp.wait_for(1)[-1])
    match = re.search(r"http://[^/\s]+(/confirm/[^\s\"<>]+)", body)
    assert match, body
    return match.group(1)


def _guest_order(email: str, price: str, status: str = "paid") -> Order:
    product = make_product(price=price, stock=5)
    return make_order(items=[(product.variants[0], 1)], email=email, status=status)


def _owner_of(order: Order):
    db.session.expire_all()
    return db.session.get(Order, order.id).user_id


def _sign_in(shop, email: str) -> None:
    shop.post("/logout", data={"csrf_token": csrf_from(shop, "/")})
    response = shop.post("/login", data={"email": email, "password": PASSWORD,
                                         "csrf_token": csrf_from(shop, "/login")})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


def test_confirming_brings_guest_orders_into_history_and_lifetime_value(shop, smtp):
    """After confirming her email, Mia's earlier guest orders (typed in any case) are in her
    order history and in her lifetime value in the back office."""
    # Given two paid guest orders and a pending one, placed with Mia's address in other cases
    first = _guest_order("MIA@Example.com", "26.50")
    second = _guest_order("mia@EXAMPLE.COM", "12.35")
    pending = _guest_order("Mia@example.com", "7.00", status="pending")

    # When she registers and follows the confirmation link
    user = _register(shop, "mia@example.com")
    response = shop.get(_confirm_path(smtp))
    assert response.status_code in (302, 303)

    # Then the orders are hers, in her history, and count in her statistics
    assert {_owner_of(o) for o in (first, second, pending)} == {user.id}
    history = shop.get("/account/orders").get_data(as_text=True)
    assert all(o.number in history for o in (first, second, pending))
    stats = customer_stats([user.id])[user.id]
    assert stats.order_count == 3
    assert str(stats.lifetime_value) == "48.65"  # 31.40 + 17.25; pending adds nothing
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == LINK_ACTION))
    assert sorted(e.object_id for e in events) == sorted(
        str(o.id) for o in (first, second, pending))

    # And staff see the lifetime value in the back office
    create_user("owner@example.com", PASSWORD, ["owner"])
    create_user("staff@example.com", PASSWORD, ["staff"])
    _sign_in(shop, "staff@example.com")
    customers = shop.get("/admin/customer/").get_data(as_text=True)
    assert "48.65" in customers


def test_an_unconfirmed_registration_sees_no_guest_orders(client, smtp):
    """Someone who registers with another person's email but never confirms gets none of that
    person's guest orders."""
    # Given a guest order placed by the address's real owner
    order = _guest_order("owner.of.address@example.com", "20.00")

    # When someone registers with that address and does not confirm it
    user = _register(client, "owner.of.address@example.com")

    # Then the order is still a guest order, counted for nobody
    assert user.confirmed_at is None
    assert _owner_of(order) is None
    assert customer_stats([user.id])[user.id].order_count == 0


def test_other_emails_guest_orders_stay_guest_orders(client, smtp):
    """Confirming one address leaves guest orders of other addresses alone."""
    # Given guest orders of another address, one of them a longer address ending in the same
    mine = _guest_order("leo@example.com", "10.00")
    theirs = _guest_order("theo@example.com", "10.00")
    similar = _guest_order("leo@example.com.au", "10.00")

    # When Leo registers and confirms
    user = _register(client, "leo@example.com")
    client.get(_confirm_path(smtp))

    # Then only his own order is linked
    assert _owner_of(mine) == user.id
    assert _owner_of(theirs) is None
    assert _owner_of(similar) is None


def test_linking_twice_links_nothing_more(app):
    """Linking again after the orders were linked changes nothing and logs nothing."""
    # Given an account created confirmed, which linked its guest order at creation
    order = _guest_order("ivy@example.com", "15.00")
    user = create_user("ivy@example.com", PASSWORD, ["customer"])
    assert _owner_of(order) == user.id
    logged = db.session.scalar(select(db.func.count(AuditEvent.id))
                               .where(AuditEvent.action == LINK_ACTION))

    # When linking runs again
    linked = link_guest_orders(db.session.get(User, user.id))

    # Then nothing more is linked or logged
    assert linked == 0
    assert logged == 1
    assert db.session.scalar(select(db.func.count(AuditEvent.id))
                             .where(AuditEvent.action == LINK_ACTION)) == 1


def test_an_account_created_unconfirmed_links_nothing(app):
    """An account the back office creates without a confirmed email gets no guest orders."""
    order = _guest_order("zoe@example.com", "15.00")
    user = create_user("zoe@example.com", PASSWORD, ["customer"], confirmed=False)
    assert _owner_of(order) is None
    assert link_guest_orders(db.session.get(User, user.id)) == 0
    assert _owner_of(order) is None


def test_users_create_command_links_guest_orders(app, runner):
    """An account made with `flask users create` (already confirmed) gets its guest orders."""
    order = _guest_order("Cli.Buyer@example.com", "15.00")
    result = runner.invoke(args=["users", "create", "cli.buyer@example.com",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli.buyer@example.com"))
    assert _owner_of(order) == user.id


def test_the_confirmation_link_signs_in(shop, smtp):
    """Following the confirmation link signs the new customer in."""
    _register(shop, "noor@example.com")
    assert "Log out" not in shop.get("/").get_data(as_text=True)
    response = shop.get(_confirm_path(smtp))
    assert response.status_code in (302, 303)
    assert "Log out" in shop.get("/").get_data(as_text=True)
    assert shop.get("/account/orders").status_code == 200


def test_linking_matches_case_insensitively_on_postgresql(pg_app):
    """On PostgreSQL too, an account created confirmed gets guest orders typed in any case."""
    order = _guest_order("Pat@Example.COM", "15.00")
    other = _guest_order("pat@example.org", "15.00")
    user = create_user("pat@example.com", PASSWORD, ["customer"])
    assert _owner_of(order) == user.id
    assert _owner_of(other) is None
