"""A small shop and a signed-in customer with a cart and an order, for page-by-page checks."""

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import make_category, make_order, make_product

LONG_DESCRIPTION = "<p>" + " ".join(["Heavyweight organic cotton, garment-dyed and pre-shrunk,"
                                      " with a relaxed fit and a ribbed collar."] * 12) + "</p>"


def stock_the_shop():
    """Two categories, seven products (one with sizes and a long description)."""
    clothes = make_category(slug="clothes", name="Clothes")
    jewelry = make_category(slug="jewelry", name="Jewelry")
    tee = make_product(name="Harbour Lights Organic Cotton Tee", price="25.00", category=clothes,
                       description=LONG_DESCRIPTION,
                       variants=[{"sku": "HARBOUR-LIGHTS-TEE-NAVY-M", "options": {
                           "colour": "Navy", "size": "M"}, "stock": 6},
                                 {"sku": "HARBOUR-LIGHTS-TEE-NAVY-L", "options": {
                                     "colour": "Navy", "size": "L"}, "stock": 6}])
    for name, category in [("Stone Mug", None), ("Moonstone Ring", jewelry),
                           ("Silver Hoops", jewelry), ("Linen Scarf", clothes),
                           ("Field Notes Journal", None), ("Wool Beanie", clothes)]:
        make_product(name=name, price="19.00", category=category, stock=8)
    return tee


def sign_in(page, live_server, email: str) -> None:
    """Sign in through the login form."""
    page.goto(live_server + "/login")
    page.get_by_label("Email Address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(lambda url: "/login" not in url)


def customer_pages(page, live_server, auth) -> list[tuple[str, str]]:
    """Sign a customer in with one item in the cart and one order; the main pages by name."""
    tee = stock_the_shop()
    user = auth.user("customer")
    order = make_order(items=[(tee.variants[0], 1)], user=user)
    sign_in(page, live_server, user.email)
    page.goto(live_server + f"/products/{tee.slug}")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".cart-link .badge")).to_have_text("1")
    return [("home", "/"), ("catalog", "/products/"), ("search", "/products/?q=tee"),
            ("product", f"/products/{tee.slug}"), ("cart", "/cart"), ("checkout", "/checkout"),
            ("order", f"/orders/{order.number}"), ("account", "/account"),
            ("order history", "/account/orders"), ("address form", "/account/addresses/new"),
            ("support", "/support"), ("content page", "/pages/shipping-returns")]


def visitor_pages() -> list[tuple[str, str]]:
    """Pages only a visitor who is not signed in sees."""
    return [("login", "/login"), ("register", "/register"), ("reset", "/reset")]


def slug(name: str) -> str:
    """A file-name-safe form of a page name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def fill_checkout_address(page) -> None:
    """Type a guest's email and Madrid address into the checkout form, as a customer would."""
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Full name").fill("Ana García")
    page.get_by_label("Address", exact=True).fill("Calle Mayor 1")
    page.get_by_label("Postal code").fill("28013")
    page.get_by_label("City").fill("Madrid")
    page.get_by_label("Country").select_option("ES")
