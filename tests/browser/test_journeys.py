"""Whole journeys in Debian's Chromium, each at a desktop and a phone size, with scripts on and
off: a customer searches, picks a variant, buys as a guest; staff adjust stock and ship the
order; an owner builds a role whose holder sees only its views. Any console error, page error
or CSP violation fails the journey; screenshots go to tmp/screenshots/."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from store.accounts.services import create_user
from store.extensions import db
from store.models import Order, Role, Variant
from tests.browser.conftest import JOURNEY_MODES, screenshot
from tests.browser.pages import fill_checkout_address, sign_in, stock_the_shop
from tests.conftest import PASSWORD
from tests.factories import make_order

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("viewport, scripts", JOURNEY_MODES,
                                      ids=[f"{v}-{'js' if s else 'nojs'}"
                                           for v, s in JOURNEY_MODES])]


def shot(page, journey: str, viewport: str, scripts: bool, step: str) -> None:
    screenshot(page, f"{journey}-{viewport}-{'js' if scripts else 'nojs'}-{step}")


def pick_size(page, variant) -> None:
    """Choose a variant with the plain select, or with the picker's control when scripts
    replaced it (the outcome is what the journey checks, not the widget)."""
    select = page.get_by_label("Choose")
    if select.count() and select.is_visible():
        select.select_option(str(variant.id))
        return
    size = variant.options["size"]
    page.get_by_role("radio", name=size, exact=True).or_(
        page.get_by_role("button", name=size, exact=True)).first.click()


def test_customer_searches_picks_a_size_buys_two_then_three_as_a_guest(
        live_server, open_page, viewport, scripts):
    """Search "harbour", choose size L, add two, make it three in the cart, check out as a
    guest with bank transfer and see the order."""
    tee = stock_the_shop()
    large = next(v for v in tee.variants if v.options["size"] == "L")
    large_id = large.id
    page = open_page(viewport, scripts=scripts)

    page.goto(live_server + "/")
    page.get_by_role("searchbox").fill("harbour")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/products/\?q=harbour"))
    shot(page, "customer", viewport, scripts, "1-search")
    page.locator(".product-card a", has_text=tee.name).first.click()
    page.wait_for_url(re.compile(rf"/products/{tee.slug}"))

    pick_size(page, large)
    page.get_by_label("Quantity", exact=True).fill("2")
    shot(page, "customer", viewport, scripts, "2-product")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".cart-link .badge")).to_have_text("2")

    page.goto(live_server + "/cart")
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator(".cart-total")).to_have_text("€54.90")
    page.get_by_label(re.compile("^Quantity of")).fill("3")
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".cart-total")).to_have_text("€75.00")  # free delivery from €60
    expect(page.locator(".cart-link .badge")).to_have_text("3")
    shot(page, "customer", viewport, scripts, "3-cart")
    page.get_by_role("link", name="Check out").click()

    page.wait_for_url(re.compile(r"/checkout$"))
    fill_checkout_address(page)
    shot(page, "customer", viewport, scripts, "4-checkout")
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url(re.compile(r"/orders/SS-[A-Z0-9]{4}-[A-Z0-9]{4}\?token="))
    shot(page, "customer", viewport, scripts, "5-order")
    db.session.rollback()  # read what the server committed
    order = db.session.scalar(db.select(Order))
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.locator(".order-total")).to_have_text("€75.00")
    assert order.total == Decimal("75.00") and order.user_id is None
    assert [(line.sku, line.quantity) for line in order.lines] == [(large.sku, 3)]
    assert db.session.scalar(db.select(Variant.stock).where(Variant.id == large_id)) == 3
    assert page.problems == []


def test_staff_adjusts_stock_and_ships_the_order(live_server, open_page, auth, viewport,
                                                 scripts):
    """Staff count five more of a variant in, mark the order paid and ship it with tracking."""
    auth.user("staff")
    tee = stock_the_shop()
    variant = tee.variants[0]
    sku, variant_id = variant.sku, variant.id
    number = make_order(items=[(variant, 1)], email="ana@example.com").number
    page = open_page(viewport, scripts=scripts)
    sign_in(page, live_server, "staff@example.com")

    page.goto(live_server + "/admin/variant/")
    page.locator("tr", has_text=sku).get_by_title("Adjust stock").click()
    page.wait_for_url(re.compile(r"/admin/variant/adjust/"))
    expect(page.locator("#stock-on-hand")).to_have_text("5")
    page.get_by_label("Amount").fill("5")
    page.get_by_label("Note").fill("Delivery note 118")
    page.get_by_role("button", name="Adjust stock").click()
    page.wait_for_load_state()
    shot(page, "staff", viewport, scripts, "1-stock")
    db.session.rollback()
    assert db.session.scalar(db.select(Variant.stock).where(Variant.id == variant_id)) == 10

    page.goto(live_server + "/admin/order/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r"/admin/order/details/"))
    page.get_by_role("button", name="Mark paid").click()
    page.wait_for_load_state()
    page.get_by_label("Carrier").select_option("dhl")
    page.get_by_label("Tracking number").fill("JD0001234")
    page.get_by_role("button", name="Ship").click()
    page.wait_for_load_state()
    shot(page, "staff", viewport, scripts, "2-shipped")
    db.session.rollback()
    order = db.session.scalar(db.select(Order).where(Order.number == number))
    assert order.status == "shipped" and order.tracking_number == "JD0001234"
    assert [e.to_status for e in order.events][-2:] == ["paid", "shipped"]
    assert page.problems == []


def test_owner_builds_a_role_and_its_holder_sees_only_its_views(live_server, open_page, auth,
                                                                viewport, scripts):
    """The owner makes a "packer" role with back-office access and order reading; a packer
    sees Orders in the menu, not Products, Stock, Users or Roles, and gets 403 there."""
    auth.user("owner")
    page = open_page(viewport, scripts=scripts)
    sign_in(page, live_server, "owner@example.com")
    page.goto(live_server + "/admin/role/new/")
    page.locator("#name").fill("packer")
    page.locator("#description").fill("Packs and reads orders")
    page.get_by_label(re.compile(r"^admin-access:")).check()
    page.get_by_label(re.compile(r"^orders-read:")).check()
    shot(page, "owner", viewport, scripts, "1-role")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/role/(\?|$)"))
    db.session.rollback()
    role = db.session.scalar(db.select(Role).where(Role.name == "packer"))
    assert role is not None and sorted(role.permissions) == ["admin-access", "orders-read"]
    create_user("packer@example.com", PASSWORD, ["packer"])

    packer = open_page(viewport, scripts=scripts)
    sign_in(packer, live_server, "packer@example.com")
    packer.goto(live_server + "/admin/")
    shot(packer, "owner", viewport, scripts, "2-packer")
    menu = [text.strip() for text in packer.locator(".navbar a").all_text_contents()]
    assert "Orders" in menu
    assert not {"Products", "Stock", "Users", "Roles"} & set(menu), menu
    assert packer.goto(live_server + "/admin/order/").status == 200
    assert page.problems == [] and packer.problems == []
    # With the packer's cookies, without a page (a 403 page logs a console error by design).
    for path in ("/admin/product/", "/admin/user/", "/admin/role/"):
        assert packer.request.get(live_server + path).status == 403, path
