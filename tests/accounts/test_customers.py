"""Customers: statistics, the back-office list and detail, GDPR export and erasure."""

import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from flask_security import verify_password
from sqlalchemy import select

from store.accounts import customers
from store.accounts.services import create_user
from store.errors import ValidationFailed
from store.extensions import db
from store.models import (
    Address,
    AuditEvent,
    Cart,
    CartLine,
    EmailMessage,
    Order,
    Role,
    SupportReply,
    SupportTicket,
    User,
)
from store.models.base import utcnow
from store.notifications.outbox import queue_email
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_order, make_product


@pytest.fixture
def shopper(auth):
    """A customer with an address, five orders, a cart, a support ticket and an email."""
    user = auth.user("customer", email="jane@example.com")
    user.full_name = "Jane Doe"
    db.session.add(Address(user=user, full_name="Jane Doe", address_line1="5 Elm Street",
                           city="Bristol", postal_code="BS1 4DJ", country="GB",
                           phone="+44 117 000 0000"))
    db.session.commit()
    product = make_product(name="Harbour Mug", price="20.00", stock=50)
    variant = product.variants[0]
    now = utcnow()
    orders = {
        "pending": make_order(user=user, items=[(variant, 1)], created_at=now),
        "paid": make_order(user=user, items=[(variant, 2)], status="paid",
                           created_at=now - timedelta(days=3)),
        "delivered": make_order(user=user, items=[(variant, 1)], status="delivered",
                                created_at=now - timedelta(days=20)),
        "refunded": make_order(user=user, items=[(variant, 1)], status="refunded",
                               created_at=now - timedelta(days=30)),
        "cancelled": make_order(user=user, items=[(variant, 1)], status="cancelled",
                                created_at=now - timedelta(days=40)),
    }
    cart = Cart(token=uuid.uuid4().hex, user_id=user.id)
    cart.lines.append(CartLine(variant_id=variant.id, quantity=2, price_seen=Decimal("20.00")))
    ticket = SupportTicket(name="Jane Doe", email="jane@example.com", user_id=user.id,
                           message="Where is my mug?", order_id=orders["paid"].id)
    ticket.replies.append(SupportReply(body="Hi Jane, it ships today."))
    db.session.add_all([cart, ticket])
    queue_email("order_paid", "jane@example.com", "Payment received", "Dear Jane, thanks.",
                order_id=orders["paid"].id)
    queue_email("newsletter", "other@example.com", "Hello", "Not for Jane")
    db.session.commit()
    user.orders = orders
    return user


def test_stats_count_orders_and_value_paid_ones(shopper):
    """A customer's stats count every order and add up only the ones paid and kept."""
    stats = customers.customer_stats([shopper.id])[shopper.id]
    assert stats.order_count == 5
    # paid (2 x 20 + 4.90) + delivered (20 + 4.90); pending, refunded, cancelled add nothing
    assert stats.lifetime_value == Decimal("69.80")
    assert stats.last_order_at.replace(tzinfo=None) == \
        shopper.orders["pending"].created_at.replace(tzinfo=None)


def test_stats_of_a_customer_without_orders_are_zero(auth):
    """A customer who never ordered has zero orders and zero value."""
    user = auth.user("customer")
    stats = customers.customer_stats([user.id])[user.id]
    assert (stats.order_count, stats.lifetime_value, stats.last_order_at) == (
        0, Decimal("0.00"), None)


def test_export_contains_everything_stored(shopper):
    """The GDPR export holds the account, addresses, orders with lines, cart, tickets and
    emails, and nothing about other people."""
    data = customers.export_customer(shopper.id)
    assert data["account"]["email"] == "jane@example.com"
    assert data["account"]["full_name"] == "Jane Doe"
    assert "password" not in data["account"]
    assert data["addresses"][0]["address_line1"] == "5 Elm Street"
    numbers = {o["number"] for o in data["orders"]}
    assert numbers == {o.number for o in shopper.orders.values()}
    paid = next(o for o in data["orders"] if o["number"] == shopper.orders["paid"].number)
    assert paid["lines"][0]["product_name"] == "Harbour Mug"
    assert paid["lines"][0]["quantity"] == 2
    assert paid["total"] == "44.90"
    assert data["cart"][0]["quantity"] == 2
    assert data["support_tickets"][0]["message"] == "Where is my mug?"
    assert data["support_tickets"][0]["replies"][0]["body"] == "Hi Jane, it ships today."
    assert [m["subject"] for m in data["emails"]] == ["Payment received"]
    json.dumps(data)  # ready to download as JSON


def test_export_holds_no_link_that_signs_in(app, client, shopper):
    """A customer's export carries none of their emails' live links: whoever holds the file
    cannot use it to reset the customer's password."""
    app.config["STORE_DELIVER_AFTER_REQUEST"] = False  # the reset email is still waiting
    client.post("/reset", data={"email": "jane@example.com",
                                "csrf_token": csrf_from(client, "/reset")})
    mail = db.session.scalars(select(EmailMessage).where(
        EmailMessage.kind == "account_reset_instructions")).one()
    live = re.search(r"https?://[^/\s]+(/reset/[^\s\"<]+)", mail.body_text).group(1)
    text = json.dumps(customers.export_customer(shopper.id))
    assert live.rsplit("/", 1)[-1] not in text
    new = "a brand new password 9"
    paths = [urlsplit(url).path for url in re.findall(r"https?://[^\s\"\\]+", text)]
    for path in paths:
        page = client.get(path)
        token = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page.get_data(as_text=True))
        client.post(path, data={"password": new, "password_confirm": new,
                                "csrf_token": token.group(1) if token else ""})
    db.session.expire_all()
    user = db.session.get(User, shopper.id)
    assert verify_password(PASSWORD, user.password)
    assert not verify_password(new, user.password)


def test_erase_anonymises_but_keeps_order_totals(shopper, auth):
    """Erasing a customer removes their personal data everywhere, closes the account and
    keeps every order's total for the books."""
    owner = auth.user("owner")
    totals = {o.number: o.total for o in shopper.orders.values()}
    customers.erase_customer(shopper.id, actor=owner)
    db.session.expire_all()
    user = db.session.get(User, shopper.id)
    placeholder = f"erased-{user.id}@invalid"
    assert user.email == placeholder
    assert user.full_name is None and not user.active and user.erased_at is not None
    assert user.addresses == []
    assert db.session.scalar(select(Cart).where(Cart.user_id == user.id)) is None
    for order in db.session.scalars(select(Order).where(Order.user_id == user.id)):
        assert order.email == placeholder
        assert "Jane" not in order.full_name and order.address_line1 == "(erased)"
        assert order.phone == "" and order.postal_code == ""
        assert order.total == totals[order.number]
    ticket = db.session.scalars(select(SupportTicket)).one()
    assert (ticket.email, ticket.name, ticket.message) == (placeholder, "(erased)", "(erased)")
    assert ticket.replies[0].body == "(erased)"
    messages = {m.subject: m for m in db.session.scalars(select(EmailMessage))}
    assert messages["Payment received"].recipients == placeholder
    assert "Jane" not in messages["Payment received"].body_text
    assert messages["Hello"].recipients == "other@example.com"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.user_id == owner.id and event.object_id == str(user.id)
    assert "jane" not in json.dumps(event.changes).lower() + event.summary.lower()
    assert customers.customer_stats([user.id])[user.id].lifetime_value == Decimal("69.80")


def test_erased_customer_cannot_sign_in(shopper, auth, client):
    """After erasure the customer's old email and password no longer open the account."""
    customers.erase_customer(shopper.id, actor=auth.user("owner"))
    response = client.post("/login", data={"email": "jane@example.com", "password": PASSWORD,
                                            "csrf_token": csrf_from(client, "/login")})
    assert response.status_code == 200  # the form again, with an error
    assert "/admin" not in response.headers.get("Location", "")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_erase_refuses_staff_and_repeated_erasure(shopper, auth):
    """Only customer accounts are erased, and only once."""
    owner = auth.user("owner")
    staff = auth.user("staff")
    with pytest.raises(ValidationFailed):
        customers.erase_customer(staff.id, actor=owner)
    customers.erase_customer(shopper.id, actor=owner)
    with pytest.raises(ValidationFailed):
        customers.erase_customer(shopper.id, actor=owner)


# -- back office -------------------------------------------------------------------------------


def test_visitor_and_customer_are_kept_out(client, auth):
    """A visitor is sent to sign in and a customer gets 403 on the customer list."""
    response = client.get("/admin/customer/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")
    auth.login("customer")
    assert client.get("/admin/customer/").status_code == 403


def test_staff_see_customers_with_their_stats(client, auth, shopper):
    """Staff see each customer's order count, lifetime value and last order date, and only
    customers are listed."""
    auth.user("owner")
    auth.login("staff")
    html = client.get("/admin/customer/").get_data(as_text=True)
    assert "jane@example.com" in html
    assert "69.80" in html
    assert shopper.orders["pending"].created_at.strftime("%Y-%m-%d") in html
    assert "owner@example.com" not in html
    detail = client.get(f"/admin/customer/details/?id={shopper.id}").get_data(as_text=True)
    assert "5 Elm Street" in detail
    assert shopper.orders["paid"].number in detail
    assert "Erase personal data" not in detail  # staff read; owners manage


def test_staff_cannot_export_or_erase(client, auth, shopper):
    """Staff posting to the GDPR export or erase get 403 and nothing changes."""
    auth.login("staff")
    token = csrf_from(client, f"/admin/customer/details/?id={shopper.id}")
    assert client.post(f"/admin/customer/{shopper.id}/export",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"/admin/customer/{shopper.id}/erase",
                       data={"csrf_token": token,
                             "confirm": "jane@example.com"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, shopper.id).email == "jane@example.com"


def test_owner_downloads_gdpr_json(client, auth, shopper):
    """An owner downloads a customer's data as a JSON file; the export is logged."""
    auth.login("owner")
    token = csrf_from(client, f"/admin/customer/details/?id={shopper.id}")
    response = client.post(f"/admin/customer/{shopper.id}/export", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "jane@example.com"
    assert len(data["orders"]) == 5
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))


def test_owner_erases_after_typing_the_email(client, auth, shopper):
    """Erasing from the back office needs the customer's email typed; then it is done."""
    auth.login("owner")
    url = f"/admin/customer/details/?id={shopper.id}"
    token = csrf_from(client, url)
    html = client.post(f"/admin/customer/{shopper.id}/erase",
                       data={"csrf_token": token, "confirm": "wrong@example.com"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Nothing was erased" in html
    db.session.expire_all()
    assert db.session.get(User, shopper.id).erased_at is None
    html = client.post(f"/admin/customer/{shopper.id}/erase",
                       data={"csrf_token": token, "confirm": "Jane@Example.com"},
                       follow_redirects=True).get_data(as_text=True)
    assert "was erased" in html
    db.session.expire_all()
    assert db.session.get(User, shopper.id).email == f"erased-{shopper.id}@invalid"


def test_customer_csv_export(client, auth, shopper):
    """Owners export customers as CSV with their statistics; staff may not."""
    auth.login("staff")
    assert client.get("/admin/customer/export/csv/").status_code == 403
    auth.logout()
    auth.login("owner")
    response = client.get("/admin/customer/export/csv/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    row = next(line for line in body.splitlines() if "jane@example.com" in line)
    assert ",5,69.80," in row


def test_customer_csv_neutralizes_formulas_and_is_audited(client, auth, shopper):
    """A customer named like a spreadsheet formula exports as plain text; the export is
    logged with who exported how many rows."""
    import csv
    import io

    evil = '=HYPERLINK("http://x","y")'
    shopper.full_name = evil
    db.session.commit()
    owner = auth.login("owner")
    body = client.get("/admin/customer/export/csv/").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["Email"] == "jane@example.com")
    assert row["Name"] == "'" + evil
    assert row["Lifetime value"] == "69.80"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (event.user_id, event.object_type, event.changes) == (owner.id, "user",
                                                                 {"rows": [None, 1]})


def _bulk_customers(count: int) -> None:
    role = db.session.scalar(select(Role).where(Role.name == "customer"))
    for _ in range(count):
        token = uuid.uuid4().hex
        user = User(email=f"c{token[:12]}@example.com", password="x", active=True,
                    fs_uniquifier=token, roles=[role])
        order = Order(number=token[:12].upper(), email=user.email, status="paid",
                      full_name="C", address_line1="1 Road", city="Town", postal_code="1",
                      country="GB", shipping_method="standard", payment_method="manual",
                      subtotal=Decimal("5.00"), shipping_cost=Decimal("0.00"),
                      total=Decimal("5.00"), user=user)
        db.session.add_all([user, order])
    db.session.commit()


def test_customer_list_query_count_does_not_grow(client, auth, count_queries):
    """The customer list runs as many SQL statements for 1,000 customers as for 10."""
    auth.login("staff")
    _bulk_customers(10)
    client.get("/admin/customer/")
    db.session.remove()
    with count_queries() as small:
        html = client.get("/admin/customer/?page_size=50").get_data(as_text=True)
    assert html.count("5.00") >= 10
    _bulk_customers(990)
    db.session.remove()
    with count_queries() as large:
        html = client.get("/admin/customer/?page_size=50").get_data(as_text=True)
    assert html.count("@example.com") >= 50
    assert len(large) == len(small), (small, large)


@pytest.mark.postgres
def test_stats_export_and_erase_on_postgresql(pg_app):
    """On PostgreSQL, stats, the export and the erasure behave the same."""
    owner = create_user("owner@example.com", PASSWORD, ["owner"])
    user = create_user("pg_jane@example.com", PASSWORD, ["customer"])
    variant = make_product(price="20.00", stock=10).variants[0]
    make_order(user=user, items=[(variant, 2)], status="paid")
    make_order(user=user, items=[(variant, 1)], status="refunded")
    queue_email("order_paid", "pg_jane@example.com", "Paid", "Dear Jane")
    db.session.commit()
    stats = customers.customer_stats([user.id])[user.id]
    assert (stats.order_count, stats.lifetime_value) == (2, Decimal("44.90"))
    assert [m["subject"] for m in customers.export_customer(user.id)["emails"]] == ["Paid"]
    customers.erase_customer(user.id, actor=owner)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == f"erased-{user.id}@invalid"
    assert customers.customer_stats([user.id])[user.id].lifetime_value == Decimal("44.90")
