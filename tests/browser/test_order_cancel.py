"""Cancelling in a real browser: the customer's and the staff's confirmation pages, and the
bulk cancel's dialog naming the orders (strict script policy, scripts as served)."""

import re

from store.extensions import db
from store.models import Order
from store.orders.access import order_url
from tests.browser.test_back_office import sign_in_staff
from tests.factories import make_order, make_product


def status_of(number) -> str:
    db.session.rollback()
    return db.session.scalar(db.select(Order.status).where(Order.number == number))


def test_staff_cancel_goes_through_the_confirmation_page(live_server, page, auth):
    """Cancel on the order page opens the confirmation; Back keeps the order; Confirm cancels."""
    order = make_order(items=[(make_product(name="Moonstone Ring").variants[0], 1)])
    number, order_id = order.number, order.id
    sign_in_staff(page, live_server, auth)
    page.goto(live_server + f"/admin/order/details/?id={order_id}")
    page.get_by_role("link", name="Cancel…").click()
    page.wait_for_url(re.compile(rf"/admin/order/{order_id}/cancel$"))
    assert page.get_by_role("heading", name=f"Cancel order {number}?").is_visible()
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(re.compile(r"/admin/order/details/"))
    assert status_of(number) == "pending"

    page.get_by_role("link", name="Cancel…").click()
    page.get_by_role("button", name="Confirm cancellation").click()
    page.wait_for_url(re.compile(r"/admin/order/details/"))
    assert status_of(number) == "cancelled"
    assert page.console_errors == []


def test_bulk_cancel_dialog_names_the_selected_orders(live_server, page, auth):
    """The bulk Cancel keeps its question and adds the selected order numbers; dismissing it
    changes nothing, accepting it cancels them."""
    first, second = make_order(), make_order()
    numbers = {first.number, second.number}
    sign_in_staff(page, live_server, auth)
    page.goto(live_server + "/admin/order/")
    for box in page.locator("input.action-checkbox").all():
        box.check()
    messages = []

    def answer(accept):
        def handle(dialog):
            messages.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    page.once("dialog", answer(False))
    page.get_by_role("button", name="With selected").click()
    page.get_by_role("link", name="Cancel (returns stock)").click()
    assert messages and messages[0].startswith(
        "Cancel the selected orders and return their stock?")
    assert all(number in messages[0] for number in numbers)
    assert {status_of(n) for n in numbers} == {"pending"}

    page.once("dialog", answer(True))
    page.get_by_role("button", name="With selected").click()
    page.get_by_role("link", name="Cancel (returns stock)").click()
    page.wait_for_load_state()
    page.wait_for_url(re.compile(r"/admin/order/"))
    assert {status_of(n) for n in numbers} == {"cancelled"}


def test_customer_cancels_through_the_confirmation_page(live_server, page):
    """A guest opens their order, is asked, keeps it once, then cancels it."""
    order = make_order(items=[(make_product(name="Harbour Tee").variants[0], 1)])
    number, url = order.number, order_url(order)
    page.goto(live_server + url)
    page.get_by_role("link", name="Cancel this order").click()
    assert page.get_by_role("heading", name=f"Cancel order {number}?").is_visible()
    page.get_by_role("link", name="Keep my order").click()
    page.wait_for_url(re.compile(rf"/orders/{number}\?token="))
    assert status_of(number) == "pending"
    page.get_by_role("link", name="Cancel this order").click()
    page.get_by_role("button", name="Yes, cancel the order").click()
    page.wait_for_url(re.compile(rf"/orders/{number}\?token="))
    assert page.get_by_text(f"Your order {number} is cancelled.").is_visible()
    assert status_of(number) == "cancelled"
