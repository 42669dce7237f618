"""A visitor finds a product, picks a size, and buys it, in a real browser."""

import re
from decimal import Decimal

import pytest

from store.extensions import db
from store.models import Order, Variant
from tests.browser.pages import fill_checkout_address
from tests.factories import make_category, make_product

pytestmark = pytest.mark.browser


def test_visitor_searches_adds_to_cart_and_checks_out(live_server, page):
    """Search "harbour", open the tee, choose size L, buy two with bank transfer."""
    clothes = make_category(slug="clothes", name="Clothes")
    tee = make_product(name="Harbour Lights Tee", price="25.00", category=clothes,
                       description="<p>Soft cotton tee.</p>",
                       variants=[{"sku": "HLT-M", "options": {"size": "M"}, "stock": 4},
                                 {"sku": "HLT-L", "options": {"size": "L"}, "stock": 4}])
    make_product(name="Stone Mug", price="9.00")
    large = tee.variants[1].id

    page.goto(live_server + "/")
    page.get_by_role("searchbox").fill("harbour")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/products/\?q=harbour"))
    assert page.locator("h3").all_inner_texts() == ["Harbour Lights Tee"]

    page.get_by_role("link", name="Harbour Lights Tee").click()
    page.wait_for_url(re.compile(r"/products/product-"))
    # The variant picker's size buttons stand in for the dropdown; adding stays on the page.
    page.locator('.picker-value[data-value="L"]').click()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    assert "Added to your cart." in page.get_by_role("dialog").inner_text()
    page.get_by_role("dialog").get_by_role("link", name="View cart").click()

    page.wait_for_url(re.compile(r"/cart$"))
    assert page.locator(".cart-total").inner_text() == "€54.90"
    assert page.locator(".badge").inner_text() == "2"
    page.get_by_role("link", name="Check out").click()

    page.wait_for_url(re.compile(r"/checkout$"))
    fill_checkout_address(page)
    assert page.get_by_label(re.compile("Bank transfer")).is_checked()
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url(re.compile(r"/orders/SS-[A-Z0-9]{4}-[A-Z0-9]{4}\?token="))
    db.session.rollback()  # read what the server committed
    order = db.session.scalar(db.select(Order))
    assert order.number in page.locator("h1").inner_text()
    assert page.locator(".order-total").inner_text() == "€54.90"
    assert "Awaiting payment" in page.locator(".status").inner_text()
    assert order.total == Decimal("54.90")
    assert db.session.scalar(db.select(Variant.stock).where(Variant.id == large)) == 2
    assert page.console_errors == []
