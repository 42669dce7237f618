"""A customer keeps their address book on /account in Chromium with scripts switched off."""

import re

import pytest

from store.extensions import db
from store.models import Address
from tests.browser import islands
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
no_script_page = islands.no_script_page  # fixture


def test_customer_adds_two_addresses_and_picks_the_default(live_server, no_script_page, auth,
                                                           tmp_path):
    """Sign in, open "My account" from the header, add two addresses, make the second the
    default; every step is a plain form, and no page breaks the content policy."""
    page = no_script_page
    auth.user("customer", "ana@example.com")
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.get_by_role("link", name="My account").click()
    page.wait_for_url(re.compile(r"/account$"))
    for street, city, postal, country in (("Calle Mayor 1", "Madrid", "28013", "ES"),
                                          ("Rua Augusta 10", "Lisboa", "1100-053", "PT")):
        page.get_by_role("link", name="Add an address").click()
        page.get_by_label("Full name").fill("Ana García")
        page.get_by_label("Address", exact=True).fill(street)
        page.get_by_label("Postal code").fill(postal)
        page.get_by_label("City").fill(city)
        page.get_by_label("Country").select_option(country)
        page.get_by_role("button", name="Save the address").click()
        page.wait_for_url(re.compile(r"/account#addresses$"))
    assert page.locator(".address").count() == 2
    page.locator(".address", has_text="Rua Augusta").get_by_role(
        "button", name="Use by default").click()
    page.wait_for_url(re.compile(r"/account#addresses$"))
    assert "Rua Augusta 10" in page.locator(".address-default").inner_text()
    page.screenshot(path=str(tmp_path / "account.png"), full_page=True)
    db.session.rollback()
    assert [a.city for a in db.session.scalars(
        db.select(Address).where(Address.is_default.is_(True)))] == ["Lisboa"]
    assert page.console_errors == []
