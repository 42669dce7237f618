"""The product page's islands in Chromium: picking a variant by its options and adding to
the cart without leaving the page; and the same page with scripts off."""

import re

import pytest
from playwright.sync_api import expect

from store.extensions import db
from store.models import CartLine
from tests.browser import islands
from tests.browser.islands import problems, same_document, stays_on_page
from tests.factories import make_product

pytestmark = pytest.mark.browser
scripted = islands.scripted  # fixtures
no_script_page = islands.no_script_page


def tee():
    return make_product(name="Harbour Tee", price="20.00", variants=[
        {"sku": "T-S-N", "options": {"size": "S", "colour": "Navy"}, "stock": 5},
        {"sku": "T-M-N", "options": {"size": "M", "colour": "Navy"}, "stock": 0},
        {"sku": "T-M-R", "options": {"size": "M", "colour": "Red"}, "stock": 2,
         "price": "22.00"}])


def test_customer_picks_size_and_colour_and_the_page_follows(live_server, scripted):
    """Buttons per option replace the dropdown; M with Navy is marked unavailable and cannot
    be added; M with Red shows its price, stock and a shareable URL that preselects it."""
    page = scripted
    product = tee()
    red = product.variants[2].id
    page.goto(f"{live_server}/products/{product.slug}")
    picker = page.locator(".picker")
    assert page.get_by_label("Choose").is_hidden()
    assert picker.locator('.picker-value[data-value="S"]').get_attribute("aria-pressed") == "true"
    # M comes only in Navy (sold out) or Red, so with Navy chosen M is marked unavailable.
    assert picker.locator('.picker-value[data-value="M"]').inner_text().endswith("(Unavailable)")
    assert page.locator(".picker-stock").inner_text() == "In stock"

    picker.locator('.picker-value[data-value="M"]').click()
    navy = picker.locator('.picker-value[data-value="Navy"]')
    assert "unavailable" in navy.get_attribute("class")
    assert navy.inner_text().endswith("(Unavailable)")
    assert page.locator(".picker-stock").inner_text() == "Out of stock"
    assert page.get_by_role("button", name="Add to cart").is_disabled()

    picker.locator('.picker-value[data-value="Red"]').click()
    assert page.locator(".picker-stock").inner_text() == "Only 2 left"
    assert page.locator(".info > .price").inner_text() == "€22.00"
    assert page.get_by_role("button", name="Add to cart").is_enabled()
    page.wait_for_url(re.compile(rf"\?variant={red}$"))

    page.reload()
    assert picker.locator('.picker-value[data-value="Red"]').get_attribute(
        "aria-pressed") == "true"
    assert page.locator(".info > .price").inner_text() == "€22.00"
    assert problems(page) == []


def test_add_to_cart_stays_on_the_page_and_updates_the_header(live_server, scripted):
    """Adding two shows a confirmation with links to the cart and checkout, the header count
    becomes 2 (announced), and asking for more than the stock says why, inline."""
    page = scripted
    product = tee()
    page.goto(f"{live_server}/products/{product.slug}")
    stays_on_page(page)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    dialog = page.get_by_role("dialog")
    assert dialog.locator(".cart-confirmation-title").inner_text() == "Added to your cart."
    assert "2 × Harbour Tee · S / Navy" in dialog.inner_text()
    assert "Subtotal: €40.00" in dialog.inner_text()
    assert dialog.get_by_role("link", name="Check out").get_attribute("href") == "/checkout"
    assert page.locator(".cart-link .badge").inner_text() == "2"
    expect(page.locator("[data-cart-announce]")).to_have_text("Added to your cart.")
    assert same_document(page)

    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").count() == 0
    page.get_by_label("Quantity").fill("9")
    page.get_by_role("button", name="Add to cart").click()
    error = page.locator(".add-to-cart-error")
    error.wait_for()
    assert "5" in error.inner_text() and error.get_attribute("role") == "alert"
    assert page.locator(".cart-link .badge").inner_text() == "2"
    assert same_document(page)
    db.session.rollback()
    assert [line.quantity for line in db.session.scalars(db.select(CartLine))] == [2]
    # The refused request is the browser's only complaint.
    assert problems(page) == ["Failed to load resource: the server responded with a status of "
                              "409 (CONFLICT)"]


def test_without_scripts_the_dropdown_and_form_do_the_same(live_server, no_script_page):
    """Scripts off: the dropdown is there, a shared ?variant= link preselects it, and the
    form adds to the cart through a normal page load."""
    page = no_script_page
    product = tee()
    red = product.variants[2].id
    page.goto(f"{live_server}/products/{product.slug}?variant={red}")
    assert page.locator(".picker").count() == 0
    assert page.get_by_label("Choose").input_value() == str(red)
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url(re.compile(r"/cart$"))
    assert "Added to your cart." in page.locator(".flashes").inner_text()
    assert page.locator(".cart-link .badge").inner_text() == "1"
    assert "M / Red" in page.locator(".cart-line").inner_text()
    assert page.console_errors == []
