"""The cart, checkout and search islands in Chromium: quantities and removal without a
reload, delivery prices per country, suggestions as you type; and each with scripts off."""

import re

import pytest
from playwright.sync_api import expect

from store.extensions import db
from store.models import CartLine
from tests.browser import islands
from tests.browser.islands import problems, same_document, stays_on_page
from tests.factories import make_category, make_product

pytestmark = pytest.mark.browser
scripted = islands.scripted  # fixtures
no_script_page = islands.no_script_page


def fill_cart(page, live_server, *products, scripts=True):
    """Add one of each product from its page (the island, or the plain form)."""
    for product in products:
        page.goto(f"{live_server}/products/{product.slug}")
        page.get_by_role("button", name="Add to cart").click()
        if scripts:
            page.get_by_role("dialog").wait_for()
        else:
            page.wait_for_url(re.compile(r"/cart$"))


def test_cart_quantity_and_removal_without_a_reload(live_server, scripted):
    """Three tees: the line total, the cart total and the header count follow the server;
    removing a line drops it; removing the last shows the empty cart."""
    page = scripted
    tee = make_product(name="Tee", price="12.50", stock=10)
    mug = make_product(name="Mug", price="8.00", stock=10)
    fill_cart(page, live_server, tee, mug)
    page.goto(f"{live_server}/cart")
    stays_on_page(page)
    row = page.locator(".cart-line", has_text="Tee")
    row.get_by_label("Quantity of Tee").fill("3")
    row.get_by_role("button", name="Update").click()
    expect(row.locator(".line-total")).to_have_text("€37.50")
    expect(page.locator(".cart-link .badge")).to_have_text("4")
    expect(page.locator(".cart-total")).to_have_text("€50.40")  # 37.50 + 8.00 + 4.90
    expect(page.locator("[data-cart-announce]")).to_have_text("Your cart was updated.")

    row.get_by_label("Quantity of Tee").fill("11")
    row.get_by_role("button", name="Update").click()
    expect(row.locator(".line-error")).to_contain_text("10")
    expect(row.locator(".line-total")).to_have_text("€37.50")

    page.locator(".cart-line", has_text="Mug").get_by_role("button", name="Remove").click()
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator(".cart-total")).to_have_text("€42.40")
    page.locator(".cart-line").get_by_role("button", name="Remove").click()
    expect(page.locator("main .empty")).to_contain_text("Your cart is empty.")
    assert page.locator(".cart-link .badge").is_hidden()
    assert same_document(page)
    db.session.rollback()
    assert db.session.scalars(db.select(CartLine)).all() == []
    # The refused quantity is the browser's only complaint.
    assert problems(page) == ["Failed to load resource: the server responded with a status of "
                              "409 (CONFLICT)"]


def test_cart_without_scripts_posts_and_reloads(live_server, no_script_page):
    """Scripts off: Update posts the form and the page comes back with the new totals."""
    page = no_script_page
    tee = make_product(name="Tee", price="12.50", stock=10)
    fill_cart(page, live_server, tee, scripts=False)
    page.goto(f"{live_server}/cart")
    page.get_by_label("Quantity of Tee").fill("2")
    page.get_by_role("button", name="Update").click()
    page.wait_for_url(re.compile(r"/cart$"))
    assert "Your cart was updated." in page.locator(".flashes").inner_text()
    assert page.locator(".cart-total").inner_text() == "€29.90"
    page.get_by_role("button", name="Remove").click()
    assert "Your cart is empty." in page.locator("main").inner_text()
    assert page.console_errors == []


def test_checkout_prices_follow_the_country_and_method(live_server, scripted):
    """Spain offers standard and express; choosing express changes the total; France offers
    only standard at its own price, and the summary shows it, without leaving the page."""
    page = scripted
    tee = make_product(name="Tee", price="20.00", stock=10)
    fill_cart(page, live_server, tee)
    page.goto(f"{live_server}/checkout")
    stays_on_page(page)
    total = page.locator(".order-summary .checkout-total")
    standard = total.inner_text()
    page.get_by_label("Country").select_option("ES")
    page.get_by_label(re.compile("Express delivery")).check()
    expect(total).not_to_have_text(standard)
    express = total.inner_text()
    assert "9.90" in page.locator(".order-summary .shipping").inner_text()

    page.get_by_label("Country").select_option("FR")
    expect(page.locator(".methods-hint")).to_have_text("Delivery options and prices to France.")
    expect(page.get_by_label(re.compile("Standard delivery"))).to_be_checked()
    assert page.get_by_label(re.compile("Express delivery")).count() == 0
    assert "€12.00" in page.locator(".method-choice").inner_text()
    expect(page.locator(".order-summary .shipping")).to_have_text("€12.00")
    assert total.inner_text() not in (standard, express)
    assert same_document(page)
    assert problems(page) == []


def test_checkout_without_scripts_shows_the_default_country_prices(live_server,
                                                                   no_script_page):
    """Scripts off: the delivery choices are the default country's, as plain radio buttons."""
    page = no_script_page
    tee = make_product(name="Tee", price="20.00", stock=10)
    fill_cart(page, live_server, tee, scripts=False)
    page.goto(f"{live_server}/checkout")
    assert page.get_by_label(re.compile("Express delivery")).count() == 1
    assert page.locator(".methods-hint").inner_text() == "Delivery options and prices to Spain."
    assert page.console_errors == []


def test_search_suggests_products_and_categories_as_you_type(live_server, scripted):
    """Typing "harb" lists the tee with its price and the matching category; arrow down and
    Enter open the product."""
    page = scripted
    harbour = make_category(name="Harbour collection", slug="harbour")
    tee = make_product(name="Harbour Tee", price="25.00", category=harbour)
    make_product(name="Stone Mug", price="9.00")
    page.goto(f"{live_server}/")
    page.get_by_role("searchbox").fill("harb")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(2)
    product = listbox.locator(".suggestion-product")
    assert product.locator(".suggestion-name").inner_text() == "Harbour Tee"
    assert product.locator(".suggestion-price").inner_text() == "€25.00"
    assert listbox.locator(".suggestion-category").inner_text() == "Harbour collection"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/products/{tee.slug}")
    assert problems(page) == []


def test_search_without_scripts_is_a_plain_form(live_server, no_script_page):
    """Scripts off: no suggestions, and the search button lists the results."""
    page = no_script_page
    make_product(name="Harbour Tee", price="25.00")
    page.goto(f"{live_server}/")
    page.get_by_role("searchbox").fill("harbour")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/products/\?q=harbour"))
    assert page.locator("h3").all_inner_texts() == ["Harbour Tee"]
    assert page.locator(".search-suggestions").count() == 0
    assert page.console_errors == []
