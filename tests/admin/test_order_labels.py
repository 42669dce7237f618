"""Back office: the order page and packing slip name the payment, delivery, country and
carrier instead of showing their codes."""

from store.orders import services as orders
from tests.factories import make_order


def test_order_page_and_packing_slip_show_names(client, auth):
    """Staff read "Germany", "DHL", the payment method's and the delivery method's names."""
    auth.login("staff")
    order = make_order(status="paid", country="DE")
    orders.transition(order.id, "shipped", carrier="dhl", tracking_number="JD014600006")
    details = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert "Germany (DE)" in details
    assert "Carrier: DHL" in details
    assert "Method: Bank transfer or pay on delivery" in details
    assert "Method: Standard delivery" in details
    slip = client.get(f"/admin/order/{order.id}/packing-slip").get_data(as_text=True)
    assert "Germany" in slip and "Tracking: DHL JD014600006" in slip
    assert "Payment: Bank transfer or pay on delivery" in slip
    assert "Payment: manual" not in slip and "Tracking: dhl" not in slip
