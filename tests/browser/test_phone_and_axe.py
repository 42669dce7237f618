"""Every main page fits a 360 px phone, reads well on a 390 px one, and passes axe-core's
serious and critical checks at a desktop and a phone size."""

import json
import re

import pytest
from playwright.sync_api import expect

from store.extensions import db
from store.models import EmailMessage
from tests.browser.conftest import AXE, screenshot
from tests.browser.pages import customer_pages, slug, stock_the_shop, visitor_pages
from tests.conftest import PASSWORD
from tests.shopping import (
    add_to_cart,
    checkout,
    isolated_requests,  # noqa: F401  (fixture)
)

pytestmark = pytest.mark.browser

OVERFLOW = "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"


def overflow_of(page, live_server, pages) -> dict:
    """Each page's (scrollWidth, clientWidth), screenshots taken on the way."""
    widths = {}
    for name, path in pages:
        response = page.goto(live_server + path)
        assert response.ok, (name, response.status)
        widths[name] = tuple(page.evaluate(OVERFLOW))
        screenshot(page, f"narrow-{slug(name)}")
    return widths


def test_no_page_scrolls_sideways_at_360_px(live_server, open_page, auth):
    """At 360 px wide no main page is wider than the screen (signed in and as a visitor)."""
    visitor = open_page("narrow")
    widths = overflow_of(visitor, live_server, visitor_pages())
    page = open_page("narrow")
    widths |= overflow_of(page, live_server, customer_pages(page, live_server, auth))
    print("\nscrollWidth/clientWidth at 360 px:", json.dumps(widths))
    wide = {name: w for name, w in widths.items() if w[0] > w[1]}
    assert not wide, f"pages wider than the screen: {wide}"
    assert page.problems == [] and visitor.problems == []


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_phone_header_menu_grid_cart_and_checkout(live_server, open_page, auth, scripts):
    """On a 390 px phone: the header is one row plus the search, its links open from "Menu"
    (scripts or not), products come two a row, "Add to cart" shows without scrolling, a cart
    line's Remove is on screen, and checkout starts with the order summary."""
    tee = stock_the_shop()
    page = open_page("phone", scripts=scripts)
    page.goto(live_server + "/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 130, header
    login = page.get_by_role("link", name="Log in")
    expect(login).to_be_hidden()
    page.get_by_role("link", name="Menu").click()
    expect(login).to_be_visible()
    page.get_by_role("link", name="Close the menu").click()
    expect(login).to_be_hidden()

    page.goto(live_server + "/products/")
    first, second = (card.bounding_box() for card in page.locator(".product-card").all()[:2])
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"] - 1
    assert second["x"] + second["width"] <= 390

    page.goto(live_server + f"/products/{tee.slug}")
    add = page.get_by_role("button", name="Add to cart")
    box = add.bounding_box()
    assert box["y"] + box["height"] <= 844, f"Add to cart at {box['y']:.0f} px"
    screenshot(page, f"phone-product-{'js' if scripts else 'nojs'}")
    add.click()
    expect(page.locator(".cart-link .badge")).to_have_text("1")
    page.goto(live_server + "/cart")
    remove = page.get_by_role("button", name="Remove", exact=True).bounding_box()
    assert remove["x"] >= 0 and remove["x"] + remove["width"] <= 390, remove
    screenshot(page, f"phone-cart-{'js' if scripts else 'nojs'}")

    page.goto(live_server + "/checkout")
    summary = page.locator(".order-summary").bounding_box()
    form = page.locator(".checkout-form").bounding_box()
    assert summary["y"] < form["y"]
    screenshot(page, f"phone-checkout-{'js' if scripts else 'nojs'}")
    assert page.problems == []


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_violation(live_server, open_page, auth, viewport):
    """axe-core (npm) on home, catalog, product, cart, checkout, order, account and login."""
    assert AXE.exists(), f"{AXE} is missing: run `npm install` (axe-core is a devDependency)"
    # axe is injected as a script tag, which the shop's nonce policy would rightly refuse.
    visitor = open_page(viewport, bypass_csp=True)
    page = open_page(viewport, bypass_csp=True)
    pages = [(name, path, visitor) for name, path in visitor_pages()] + [
        (name, path, page) for name, path in customer_pages(page, live_server, auth)]
    found = {}
    for name, path, tab in pages:
        tab.goto(live_server + path)
        tab.add_script_tag(path=str(AXE))
        found[name] = tab.evaluate(AXE_RUN)
    print(f"\naxe serious/critical at {viewport}:",
          json.dumps({name: len(v) for name, v in found.items()}))
    bad = {name: v for name, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1)


def test_emails_with_long_links_fit_a_phone(app, client, open_page):
    """The welcome email prints its long confirmation link, and the guest's order email has
    a signed link: both wrap at 360 px instead of running off the side of a phone."""
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/register").get_data(as_text=True)).group(1)
    client.post("/register", data={"csrf_token": token, "email": "new@example.com",
                                   "password": PASSWORD, "password_confirm": PASSWORD})
    tee = stock_the_shop()
    add_to_cart(client, tee.variants[0].id)
    assert checkout(client).status_code == 303
    db.session.rollback()
    mails = db.session.scalars(db.select(EmailMessage).order_by(EmailMessage.id)).all()
    assert {mail.kind for mail in mails} >= {"account_welcome", "order_confirmation"}
    page = open_page("narrow")
    for mail in mails:
        page.set_content(mail.body_html)
        screenshot(page, f"narrow-email-{mail.kind}")
        width, client_width = page.evaluate(OVERFLOW)
        assert width <= client_width, (mail.kind, width, client_width)


BORDERS = """() => [...document.querySelectorAll(
    'main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), ' +
    'main select, header input'
  )].map(el => [el.name || el.id, getComputedStyle(el).borderTopColor,
                getComputedStyle(el).backgroundColor])"""


def luminance(rgb: str) -> float:
    """WCAG relative luminance of a CSS rgb()/rgba() colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_input_borders_stand_out_at_wcag_aa(live_server, open_page):
    """Every input's border has at least 3:1 contrast with its background (WCAG 1.4.11)."""
    tee = stock_the_shop()
    page = open_page("desktop")
    page.goto(live_server + f"/products/{tee.slug}")
    page.get_by_role("button", name="Add to cart").click()
    # with scripts the item goes in by fetch: wait for the header's count before leaving
    page.locator(".cart-link .badge").wait_for()
    page.goto(live_server + "/checkout")
    fields = page.evaluate(BORDERS)
    assert len(fields) > 8
    for name, border, background in fields:
        high, low = sorted((luminance(border), luminance(background)), reverse=True)
        assert (high + 0.05) / (low + 0.05) >= 3, (name, border, background)
