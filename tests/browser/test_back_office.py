"""Staff work an order through the back office in a real browser."""

import re

import pytest

from store.extensions import db
from store.models import Order, Product
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


def sign_in_staff(page, live_server, auth) -> None:
    """Sign in to the back office as staff through the login form."""
    auth.user("staff")
    page.goto(live_server + "/admin/")
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Email Address").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_list_actions_and_inline_rows_work_under_the_strict_script_policy(live_server, page,
                                                                         auth):
    """Bulk "Mark paid", "Add Variant" and the delete confirmation work with nonced scripts only."""
    product = make_product(name="Moonstone Ring", price="40.00")
    spare = make_product(name="Spare Ring", price="10.00")
    order = make_order(items=[(product.variants[0], 1)], email="ana@example.com")
    number, product_id, spare_id = order.number, product.id, spare.id
    sign_in_staff(page, live_server, auth)

    policies = []
    page.on("response", lambda r: policies.append(r.headers.get("content-security-policy"))
            if "/admin/" in r.url and r.request.resource_type == "document" else None)
    page.goto(live_server + "/admin/order/")
    page.locator("input.action-checkbox").first.check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="With selected").click()
    page.get_by_role("link", name="Mark paid").click()
    page.wait_for_load_state()
    db.session.rollback()
    assert db.session.scalar(db.select(Order.status).where(Order.number == number)) == "paid"

    page.goto(live_server + f"/admin/product/edit/?id={product_id}")
    before = page.locator("input[name$='-sku']").count()
    page.get_by_role("button", name="Add Variant").click()
    assert page.locator("input[name$='-sku']").count() == before + 1

    page.goto(live_server + "/admin/product/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    row = page.locator("tr", has_text="Spare Ring")
    row.get_by_title("Delete Record").click()
    page.wait_for_load_state()
    db.session.rollback()
    assert db.session.get(Product, spare_id) is not None  # cancelled: nothing deleted

    assert policies and all("'unsafe-inline'" not in p.split("script-src")[1].split(";")[0]
                            for p in policies)
    assert page.console_errors == []
