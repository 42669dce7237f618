"""Back office inventory: the stock list, the adjust-stock form and the stock ledger."""

import re

from store.extensions import db
from store.models import AuditEvent, StockMovement, Variant
from tests.conftest import csrf_from
from tests.factories import make_product


def stock_products():
    """Three variants: plenty (20), low (2 with threshold 3) and none (0)."""
    make_product(name="Plenty Tee", variants=[{"sku": "TEE-IN", "options": {"size": "M"},
                                               "stock": 20}])
    make_product(name="Few Socks", variants=[{"sku": "SOCK-LOW", "stock": 2}])
    make_product(name="Gone Hat", variants=[{"sku": "HAT-OUT", "stock": 0}])


def skus_in(html):
    return sorted(set(re.findall(r"(TEE-IN|SOCK-LOW|HAT-OUT)", html)))


def test_stock_list_shows_product_options_stock_and_status(client, auth):
    """The stock list shows product, SKU, options, stock, threshold and status."""
    stock_products()
    auth.login("staff")
    html = client.get("/admin/variant/").get_data(as_text=True)
    assert "Plenty Tee" in html and "size=M" in html
    assert "In stock" in html and "Low" in html and "Out of stock" in html
    export = client.get("/admin/variant/export/csv/").get_data(as_text=True)
    assert "SOCK-LOW" in export and "Out of stock" in export


def test_status_filter(client, auth):
    """Filtering by status lists only variants in stock, low or out."""
    stock_products()
    auth.login("staff")
    page = client.get("/admin/variant/").get_data(as_text=True)
    # Flask-Admin names each filter flt<n>_<index>; find the index of the status filter.
    index = re.search(r'"Status":\s*\[\s*\{\s*"arg":\s*"(\d+)"', page)
    index = index.group(1) if index else "0"
    for status, expected in (("in", ["TEE-IN"]), ("low", ["SOCK-LOW"]), ("out", ["HAT-OUT"])):
        html = client.get(f"/admin/variant/?flt0_{index}={status}").get_data(as_text=True)
        assert skus_in(html) == expected, status


def adjust(client, variant_id, **fields):
    path = f"/admin/variant/adjust/?id={variant_id}"
    data = {"mode": "delta", "amount": "", "reason": "restock", "note": "",
            "csrf_token": csrf_from(client, path)}
    data.update(fields)
    return client.post(path, data=data)


def test_adjust_stock_by_delta_writes_movement_and_audit(client, auth):
    """Receiving 5 units adds them, with a movement naming the reason, note and person."""
    product = make_product(stock=3)
    variant_id = product.variants[0].id
    staff = auth.login("staff")
    response = adjust(client, variant_id, amount="5", reason="restock", note="delivery 42")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Variant, variant_id).stock == 8
    movement = db.session.scalars(
        db.select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (movement.delta, movement.reason, movement.note, movement.user_id) == (
        5, "restock", "delivery 42", staff.id)
    [event] = db.session.scalars(db.select(AuditEvent)).all()  # one row, by the service
    assert (event.action, event.object_type, event.changes, event.user_id) == (
        "adjust_stock", "variant", {"stock": [3, 8]}, staff.id)
    assert "now 8" in client.get("/admin/variant/").get_data(as_text=True)


def test_adjust_stock_to_a_new_count(client, auth):
    """Setting the count after a stocktake records the difference."""
    product = make_product(stock=10)
    variant_id = product.variants[0].id
    auth.login("staff")
    assert adjust(client, variant_id, mode="count", amount="4",
                  reason="correction").status_code == 302
    db.session.expire_all()
    assert db.session.get(Variant, variant_id).stock == 4
    assert db.session.scalar(db.select(StockMovement.delta).order_by(
        StockMovement.id.desc()).limit(1)) == -6


def test_adjust_needs_a_reason_and_cannot_go_below_zero(client, auth):
    """Without a reason, or taking more than is on hand, nothing changes."""
    product = make_product(stock=2)
    variant_id = product.variants[0].id
    auth.login("staff")
    response = adjust(client, variant_id, amount="1", reason="")
    assert response.status_code == 200
    response = adjust(client, variant_id, amount="-5", reason="damaged")
    assert response.status_code == 200
    assert "Not enough stock" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Variant, variant_id).stock == 2
    assert db.session.scalar(db.select(db.func.count(StockMovement.id))) == 1  # the initial one


def test_customer_and_visitor_cannot_adjust(client, auth):
    """A customer posting to the adjust form gets 403; nothing changes."""
    product = make_product(stock=2)
    variant_id = product.variants[0].id
    path = f"/admin/variant/adjust/?id={variant_id}"
    response = client.get(path)
    assert response.headers["Location"].startswith("/login")
    auth.login("customer")
    token = csrf_from(client, "/")
    response = client.post(path, data={"mode": "delta", "amount": "50", "reason": "restock",
                                       "csrf_token": token})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Variant, variant_id).stock == 2


def test_stock_is_not_editable_in_the_inventory_list(client, auth):
    """The stock list has no create, edit or delete; posting to them changes nothing."""
    product = make_product(stock=2)
    variant = product.variants[0]
    auth.login("staff")
    token = csrf_from(client, "/admin/product/")
    assert client.get(f"/admin/variant/edit/?id={variant.id}").status_code == 302
    client.post(f"/admin/variant/edit/?id={variant.id}", data={"stock": "99",
                                                              "csrf_token": token})
    client.post("/admin/variant/delete/", data={"id": variant.id, "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).stock == 2


def test_ledger_filters_by_sku_reason_and_user(client, auth):
    """The stock ledger lists movements and filters them by SKU, reason and user."""
    stock_products()
    sock = db.session.scalar(db.select(Variant).where(Variant.sku == "SOCK-LOW"))
    auth.login("staff")
    adjust(client, sock.id, amount="3", reason="return", note="customer returned")
    html = client.get("/admin/stockmovement/").get_data(as_text=True)
    assert skus_in(html) == ["SOCK-LOW", "TEE-IN"]  # HAT-OUT never had stock
    filters = client.get("/admin/stockmovement/").get_data(as_text=True)
    indexes = dict(re.findall(r'"(SKU|Reason|User)":\s*\[\s*\{\s*"arg":\s*"(\d+)"', filters))
    by_sku = client.get(f"/admin/stockmovement/?flt0_{indexes['SKU']}=TEE").get_data(
        as_text=True)
    assert skus_in(by_sku) == ["TEE-IN"]
    by_reason = client.get(f"/admin/stockmovement/?flt0_{indexes['Reason']}=return").get_data(
        as_text=True)
    assert "customer returned" in by_reason and "TEE-IN" not in by_reason
    by_user = client.get(f"/admin/stockmovement/?flt0_{indexes['User']}=staff@").get_data(
        as_text=True)
    assert skus_in(by_user) == ["SOCK-LOW"]
    assert client.get("/admin/stockmovement/new/").status_code == 302  # read-only
