"""The signed-in customer's orders and cart over the API; nobody else's."""

from decimal import Decimal

from store.cart import services as carts
from tests.api.conftest import headers
from tests.api.test_auth import assert_problem
from tests.factories import make_order, make_product


def test_a_customer_lists_and_reads_their_own_orders(app, auth, bare, token_for):
    """Newest first, money as strings, lines included; paging by cursor."""
    token = token_for("customer")
    me = auth.user("customer")
    first = make_order(user=me)
    second = make_order(items=[(make_product(price="7.25").variants[0], 2)], user=me)
    make_order(user=auth.user("customer", "other@example.com"))
    page = bare.get("/api/v1/orders?limit=1", headers=headers(token)).get_json()
    assert [o["number"] for o in page["items"]] == [second.number]
    rest = bare.get(page["next"], headers=headers(token)).get_json()
    assert [o["number"] for o in rest["items"]] == [first.number] and rest["next"] is None
    one = bare.get(f"/api/v1/orders/{second.number.lower()}", headers=headers(token)).get_json()
    assert (one["status"], one["subtotal"], one["shipping_cost"], one["total"]) == (
        "pending", "14.50", "4.90", "19.40")
    assert [(line["quantity"], line["unit_price"], line["line_total"])
            for line in one["lines"]] == [(2, "7.25", "14.50")]


def test_another_customers_order_and_a_guest_order_are_404(app, auth, bare, token_for):
    """An order number that is not yours answers exactly as one that does not exist."""
    token = token_for("customer")
    theirs = make_order(user=auth.user("customer", "other@example.com"))
    guest = make_order(email="guest@example.com")
    for number in (theirs.number, guest.number, "SS-NONE-XXXX"):
        problem = assert_problem(bare.get(f"/api/v1/orders/{number}", headers=headers(token)),
                                 404)
        assert problem["detail"] == "There is no such order."


def test_staff_tokens_read_only_their_own_orders_here(app, auth, bare, token_for):
    """The customer endpoints are about the caller: staff see no customer's order there."""
    order = make_order(user=auth.user("customer"))
    token = token_for("staff")
    assert bare.get("/api/v1/orders", headers=headers(token)).get_json()["items"] == []
    assert_problem(bare.get(f"/api/v1/orders/{order.number}", headers=headers(token)), 404)


def test_the_cart_is_priced_now(app, auth, bare, token_for):
    """The cart shows lines with current prices, item count and totals; empty is empty."""
    token = token_for("customer")
    me = auth.user("customer")
    empty = bare.get("/api/v1/cart", headers=headers(token)).get_json()
    assert empty["lines"] == [] and empty["total"] == "0.00" and empty["item_count"] == 0
    variant = make_product(price="12.00", stock=1).variants[0]
    carts.add_item(carts.CartOwner(user_id=me.id), variant.id, 1)
    cart = bare.get("/api/v1/cart", headers=headers(token)).get_json()
    [line] = cart["lines"]
    assert (line["sku"], line["quantity"], line["unit_price"], line["line_total"]) == (
        variant.sku, 1, "12.00", "12.00")
    assert cart["item_count"] == 1 and cart["subtotal"] == "12.00"
    assert cart["total"] == str(cart_total(cart))


def cart_total(cart) -> str:
    return f"{Decimal(cart['subtotal']) + Decimal(cart['shipping']):.2f}"


def test_the_cart_needs_a_sign_in(app, bare):
    """No token, no cart: 401."""
    assert_problem(bare.get("/api/v1/cart"), 401)
