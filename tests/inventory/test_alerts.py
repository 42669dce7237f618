"""Low-stock alerts: once when a sale crosses the threshold, again only after a restock."""

from sqlalchemy import select

from store.database import write_transaction
from store.extensions import db
from store.inventory import alerts
from store.inventory import services as inventory
from store.models import EmailMessage, Variant
from store.notifications.delivery import flush_outbox
from tests.factories import make_order, make_product


def sell(variant_id: int, quantity: int) -> int:
    """A sale as checkout makes it: stock taken for an order, then the one alert call."""
    variant = db.session.get(Variant, variant_id)
    order = make_order(items=[(variant, quantity)])
    with write_transaction():
        queued = alerts.low_stock_for_order(order.id)
    return queued


def low_stock_mails() -> list[EmailMessage]:
    return list(db.session.scalars(
        select(EmailMessage).where(EmailMessage.kind == "staff_low_stock")))


def test_alert_once_per_crossing_and_again_after_a_restock(app, smtp, auth):
    """Selling down past the threshold alerts once; after a restock the next crossing alerts."""
    auth.user("staff")
    variant = make_product(name="Moonstone Ring", variants=[
        {"sku": "RING-7", "options": {"size": "7"}, "stock": 6, "low_stock_threshold": 3}
    ]).variants[0]
    assert sell(variant.id, 1) == 0   # 6 -> 5
    assert sell(variant.id, 2) == 1   # 5 -> 3: at the threshold, alert
    assert sell(variant.id, 1) == 0   # 3 -> 2: still low, no second alert
    assert len(low_stock_mails()) == 1

    inventory.adjust_stock(variant.id, reason="restock", delta=8)  # 2 -> 10: re-armed
    assert sell(variant.id, 4) == 0   # 10 -> 6
    assert sell(variant.id, 6) == 1   # 6 -> 0: crossed again
    assert len(low_stock_mails()) == 2

    flush_outbox()
    mails = smtp.wait_for(2)
    assert [m.envelope_rcpt for m in mails] == [["staff@example.com"]] * 2
    first, second = mails
    assert first["Subject"] == "SimpleStore: Low stock: RING-7 (3 left)"
    assert "Moonstone Ring" in smtp.text(first) and "(7)" in smtp.text(first)
    assert second["Subject"] == "SimpleStore: Low stock: RING-7 (0 left)"
    assert "out of stock" in smtp.text(second) and "out of stock" in smtp.html(second)


def test_restock_that_stays_low_does_not_rearm(app, auth):
    """A restock that leaves stock at or below the threshold does not allow a new alert."""
    auth.user("staff")
    variant = make_product(variants=[{"sku": "MUG-1", "stock": 4, "low_stock_threshold": 3}]
                           ).variants[0]
    assert sell(variant.id, 2) == 1                              # 4 -> 2
    inventory.adjust_stock(variant.id, reason="restock", delta=1)  # 2 -> 3: still low
    assert sell(variant.id, 1) == 0                              # 3 -> 2
    assert len(low_stock_mails()) == 1


def test_the_same_sale_checked_twice_alerts_once(app, auth):
    """Checking one sale again (a retried call) does not queue a second alert."""
    auth.user("staff")
    variant = make_product(variants=[{"sku": "TOTE-1", "stock": 4, "low_stock_threshold": 3}]
                           ).variants[0]
    order = make_order(items=[(variant, 1)])
    with write_transaction():
        assert alerts.low_stock_for_order(order.id) == 1
    with write_transaction():
        assert alerts.low_stock_for_order(order.id) == 0
    assert len(low_stock_mails()) == 1


def test_alert_goes_to_inventory_managers_only(app, auth):
    """Owners and staff (inventory-manage) get the alert; customers never do."""
    for role in ("owner", "staff", "customer"):
        auth.user(role)
    variant = make_product(variants=[{"sku": "SCARF-1", "stock": 5, "low_stock_threshold": 4}]
                           ).variants[0]
    sell(variant.id, 1)
    [mail] = low_stock_mails()
    assert set(mail.recipients.split(", ")) == {"owner@example.com", "staff@example.com"}


def test_selling_from_above_straight_to_zero_is_one_crossing(app, auth):
    """A big sale from plenty to nothing alerts once, and each variant on its own."""
    auth.user("staff")
    product = make_product(variants=[
        {"sku": "TEE-S", "options": {"size": "S"}, "stock": 5, "low_stock_threshold": 2},
        {"sku": "TEE-L", "options": {"size": "L"}, "stock": 9, "low_stock_threshold": 2},
    ])
    small, large = product.variants
    order = make_order(items=[(small, 5), (large, 1)])
    with write_transaction():
        assert alerts.low_stock_for_order(order.id) == 1
    [mail] = low_stock_mails()
    assert "TEE-S" in mail.subject and "0 left" in mail.subject


def test_checkout_that_crosses_the_threshold_alerts_staff(app, client, auth, smtp):
    """A storefront order that takes a variant down to its threshold warns staff by email."""
    from tests.shopping import add_to_cart, checkout

    auth.user("staff")
    product = make_product(name="Opal Studs", variants=[
        {"sku": "OPAL-1", "options": {}, "stock": 5, "low_stock_threshold": 3}])
    variant_id = product.variants[0].id
    add_to_cart(client, variant_id, 2)
    response = checkout(client)
    assert response.status_code == 303 and "/orders/" in response.headers["Location"]
    db.session.commit()  # rendered at delivery, after the response: read afresh
    mails = low_stock_mails()
    assert len(mails) == 1
    assert "staff@example.com" in mails[0].recipients
    assert "OPAL-1" in mails[0].body_text
