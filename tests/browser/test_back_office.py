"""Staff work an order through the back office in a real browser."""

import re

import pytest

from store.extensions import db
from store.models import Order
from tests.conftest import PASSWORD
from tests.factories import make_order, make_product

pytestmark = pytest.mark.browser


def test_staff_marks_an_order_paid_and_ships_it(live_server, page, auth):
    """Staff sign in, find the order, mark it paid, ship it with tracking, and see the timeline."""
    auth.user("staff")
    product = make_product(name="Moonstone Ring", price="40.00")
    order = make_order(items=[(product.variants[0], 1)], email="ana@example.com")
    number = order.number

    page.goto(live_server + "/admin/")
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Email Address").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert "Dashboard" in page.locator("h1").first.inner_text()

    page.get_by_role("link", name="Orders", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/order/"))
    page.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r"/admin/order/details/"))

    page.get_by_role("button", name="Mark paid").click()
    page.wait_for_load_state()
    assert "marked paid" in page.locator(".alert").first.inner_text()

    page.get_by_label("Carrier").select_option("dhl")
    page.get_by_label("Tracking number").fill("JD0001234")
    page.get_by_role("button", name="Ship").click()
    page.wait_for_load_state()
    timeline = page.locator("body").inner_text()
    assert "shipped" in timeline and "JD0001234" in timeline

    db.session.rollback()  # read what the server committed
    order = db.session.scalar(db.select(Order).where(Order.number == number))
    assert order.status == "shipped"
    assert order.carrier == "dhl" and order.tracking_number == "JD0001234"
    assert [e.to_status for e in order.events][-2:] == ["paid", "shipped"]
    assert page.console_errors == []
