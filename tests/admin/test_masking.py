"""Staff without customers-pii see masked emails and phones; holders see them whole."""

from store.extensions import db
from tests.factories import make_order


def make_role(app, name, permissions):
    app.extensions["security"].datastore.create_role(name=name, permissions=permissions)
    db.session.commit()


def test_a_role_without_customers_pii_sees_masked_contact_details(app, client, auth):
    """A packer opens orders and customers but sees only masked emails and phones."""
    make_role(app, "packer", ["admin-access", "orders-read", "customers-read"])
    order = make_order(email="ana.garcia@example.com", phone="+34 600 123 456")
    db.session.commit()
    auth.user("packer", "packer@example.com")
    auth.login("packer", "packer@example.com")

    listing = client.get("/admin/order/").get_data(as_text=True)
    details = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    exported = client.get("/admin/order/export/csv/")
    assert exported.status_code == 200
    export = exported.get_data(as_text=True)
    assert "a*********@example.com" in export

    for page in (listing, details, export):
        assert "ana.garcia@example.com" not in page
    assert "a*********@example.com" in listing
    assert "a*********@example.com" in details
    assert "+** *** *** *56" in details
    assert "600 123 456" not in details + export


def test_the_owner_sees_contact_details_whole(app, client, auth):
    """An owner (who holds customers-pii) sees the full email and phone."""
    order = make_order(email="ana.garcia@example.com", phone="+34 600 123 456")
    db.session.commit()
    auth.login("owner")

    details = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)

    assert "ana.garcia@example.com" in details
    assert "+34 600 123 456" in details
