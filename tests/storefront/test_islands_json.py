"""The JSON the storefront's islands ask for: add to cart, cart changes, checkout quotes,
search suggestions and the product page's variant data. CSRF is on; the server computes
and formats every figure."""

import json
import re
from decimal import Decimal

from store.extensions import db
from store.models import CartLine, ProductImage
from tests.conftest import csrf_from
from tests.factories import make_category, make_product
from tests.shopping import add_to_cart, isolated_requests  # noqa: F401  (fixture)

JSON = {"Accept": "application/json"}


def lines():
    return [(line.variant.sku, line.quantity)
            for line in db.session.scalars(db.select(CartLine).order_by(CartLine.id))]


def post_json(client, url, **data):
    data.setdefault("csrf_token", csrf_from(client, "/cart"))
    return client.post(url, data=data, headers=JSON)


def test_add_to_cart_answers_json_with_the_count_and_the_line(client):
    """Asked for JSON, adding answers with the new count, the line it landed in and the
    subtotal, all formatted by the server; no redirect, and the cart holds the line."""
    tee = make_product(name="Harbour Tee", price="12.50",
                       variants=[{"sku": "TEE-M", "options": {"size": "M"}, "stock": 5}])
    response = post_json(client, "/cart/items", variant_id=tee.variants[0].id, quantity=2)
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert data["count"] == 2 and data["message"] == "Added to your cart."
    assert data["added"]["name"] == "Harbour Tee" and data["added"]["label"] == "M"
    assert data["added"]["quantity"] == 2 and data["added"]["line_total"] == "€25.00"
    assert data["subtotal"] == "€25.00"
    assert data["cart_url"] == "/cart" and data["checkout_url"] == "/checkout"
    assert lines() == [("TEE-M", 2)]
    # The page a customer opens next shows the same count.
    assert '<span class="badge">2</span>' in client.get("/").get_data(as_text=True)


def test_add_to_cart_without_csrf_is_refused_in_json_and_adds_nothing(client):
    """A POST without the CSRF token is a 400 with a message, and the cart stays empty."""
    mug = make_product(stock=5)
    response = client.post("/cart/items", data={"variant_id": mug.variants[0].id,
                                                "quantity": 1}, headers=JSON)
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["message"] or response.get_json()["error"]
    assert lines() == []


def test_add_too_many_is_a_409_with_the_stock_message(client):
    """More than the stock: 409 with the service's message, nothing added."""
    mug = make_product(stock=3)
    response = post_json(client, "/cart/items", variant_id=mug.variants[0].id, quantity=5)
    assert response.status_code == 409
    assert "3" in response.get_json()["error"]
    assert lines() == []


def test_add_with_bad_input_is_a_4xx_with_a_message(client):
    """A quantity that is not a number, or a variant that does not exist: a clear 4xx."""
    mug = make_product(stock=3)
    bad = post_json(client, "/cart/items", variant_id=mug.variants[0].id, quantity="abc")
    assert bad.status_code == 400 and bad.get_json()["error"]
    missing = post_json(client, "/cart/items", variant_id=999999, quantity=1)
    assert missing.status_code == 404 and missing.get_json()["error"]
    assert lines() == []


def test_the_form_without_scripts_still_redirects(client):
    """The plain form post (no JSON asked) keeps its redirect to the cart."""
    mug = make_product(stock=3)
    response = add_to_cart(client, mug.variants[0].id, 1)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")


def test_changing_a_quantity_answers_with_the_whole_cart_priced_by_the_server(client):
    """Updating a line returns its new total, the totals block and the count; 0 removes it
    and the answer says the cart is empty."""
    tee = make_product(name="Tee", price="12.50", stock=10)
    mug = make_product(name="Mug", price="8.00", stock=10)
    add_to_cart(client, tee.variants[0].id, 1)
    add_to_cart(client, mug.variants[0].id, 1)
    tee_line = db.session.scalars(db.select(CartLine).order_by(CartLine.id)).first()
    response = post_json(client, f"/cart/items/{tee_line.id}", quantity=3)
    assert response.status_code == 200
    data = response.get_json()
    assert data["count"] == 4 and data["message"] == "Your cart was updated."
    by_name = {line["name"]: line for line in data["lines"]}
    assert by_name["Tee"]["line_total"] == "€37.50" and by_name["Tee"]["quantity"] == 3
    assert data["subtotal"] == "€45.50"
    # The same totals block as the page: shipping and the total as the cart page prints them.
    page = client.get("/cart").get_data(as_text=True)
    assert re.search(r'class="cart-total">([^<]+)<', data["totals_html"]).group(1) == \
        re.search(r'class="cart-total">([^<]+)<', page).group(1)
    for line in list(data["lines"]):
        last = post_json(client, line["update_url"], quantity=0).get_json()
    assert last["empty"] is True and last["count"] == 0
    assert last["empty_state"]["text"] == "Your cart is empty."
    assert lines() == []


def test_a_cart_change_refused_says_why(app, client):
    """Too many: 409 and the quantity is unchanged; not a number: 400; another visitor's
    line: 404."""
    mug = make_product(stock=4)
    add_to_cart(client, mug.variants[0].id, 1)
    line = db.session.scalars(db.select(CartLine)).one()
    assert post_json(client, f"/cart/items/{line.id}", quantity=9).status_code == 409
    assert post_json(client, f"/cart/items/{line.id}", quantity="x").status_code == 400
    other = app.test_client()
    refused = post_json(other, f"/cart/items/{line.id}", quantity=2)
    assert refused.status_code == 404 and refused.get_json()["error"]
    assert lines() == [(mug.variants[0].sku, 1)]


def test_checkout_quote_prices_the_cart_for_a_country_and_method(client):
    """The quote lists the country's delivery choices with prices and the totals, the same
    figures the checkout page shows for that country; unknown countries are a 400."""
    tee = make_product(name="Tee", price="20.00", stock=10)
    add_to_cart(client, tee.variants[0].id, 1)
    quote = client.get("/checkout/quote?country=ES&method=standard", headers=JSON)
    assert quote.status_code == 200
    data = quote.get_json()
    assert data["country"] == "ES" and data["method"] == "standard"
    assert "standard" in [m["code"] for m in data["methods"]]
    page = client.get("/checkout").get_data(as_text=True)
    shown = re.search(r'class="checkout-total">([^<]+)<', page).group(1)
    assert re.search(r'class="checkout-total">([^<]+)<', data["totals_html"]).group(1) == shown
    assert data["total"] == shown
    # A method the zone does not offer falls back to the zone's first one.
    assert client.get("/checkout/quote?country=ES&method=teleport").get_json()["method"] == \
        data["methods"][0]["code"]
    bad = client.get("/checkout/quote?country=ZZ&method=standard", headers=JSON)
    assert bad.status_code == 400 and bad.get_json()["error"]


def test_checkout_quote_follows_the_method_price(client):
    """Choosing another method changes the total by that method's price."""
    tee = make_product(name="Tee", price="20.00", stock=10)
    add_to_cart(client, tee.variants[0].id, 1)
    data = client.get("/checkout/quote?country=ES&method=standard").get_json()
    totals = {}
    for method in data["methods"]:
        quoted = client.get(f"/checkout/quote?country=ES&method={method['code']}").get_json()
        assert quoted["method"] == method["code"]
        totals[method["code"]] = Decimal(re.sub(r"[^0-9.]", "", quoted["total"]))
    assert len(data["methods"]) >= 2 and len(set(totals.values())) >= 2


def test_checkout_quote_of_an_empty_cart_is_refused(client):
    """Nothing in the cart: a 400 with a message."""
    response = client.get("/checkout/quote?country=ES", headers=JSON)
    assert response.status_code == 400
    assert response.get_json()["error"] == "Your cart is empty."


def test_search_suggestions_follow_the_contract(client):
    """Typing part of a name suggests the product (name, url, price, image) and a matching
    category; one letter suggests nothing."""
    mugs = make_category(name="Mugs", slug="mugs")
    make_product(name="Stone Mug", slug="stone-mug", price="8.00", category=mugs)
    data = client.get("/search/suggest?q=mug").get_json()
    assert {"name": "Stone Mug", "url": "/products/stone-mug", "price": "€8.00",
            "image": None} in data["products"]
    assert data["categories"] == [{"name": "Mugs", "url": "/products/?category=mugs"}]
    assert client.get("/search/suggest?q=m").get_json() == {"products": [], "categories": []}


def picker_of(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="variant-data" nonce="[^"]+">'
                      r"(.*?)</script>", html, re.S)
    assert block, "no variant data on the page"
    return json.loads(block.group(1))


def test_the_product_page_carries_its_variants_and_preselects_the_shared_one(client):
    """The page's variant data has one entry per option, each variant's formatted prices and
    stock; ?variant= preselects that variant in the plain select too."""
    tee = make_product(name="Tee", price="20.00", variants=[
        {"sku": "T-S-N", "options": {"size": "S", "colour": "Navy"}, "stock": 5},
        {"sku": "T-M-N", "options": {"size": "M", "colour": "Navy"}, "stock": 0},
        {"sku": "T-M-R", "options": {"size": "M", "colour": "Red"}, "stock": 2,
         "price": "22.00"}])
    small, medium_navy, medium_red = tee.variants
    # An image whose description names a colour is that colour's picture.
    db.session.add_all([ProductImage(product=tee, path="tee/navy.jpg", alt="Navy tee"),
                        ProductImage(product=tee, path="tee/red.jpg", alt="Red tee",
                                     position=1)])
    db.session.commit()
    html = client.get(f"/products/{tee.slug}?variant={medium_red.id}").get_data(as_text=True)
    data = picker_of(html)
    assert [(o["label"], o["values"], o["swatch"]) for o in data["options"]] == [
        ("Size", ["S", "M"], False), ("Colour", ["Navy", "Red"], True)]
    by_id = {v["id"]: v for v in data["variants"]}
    assert by_id[medium_navy.id]["available"] is False
    assert by_id[medium_navy.id]["message"] == "Out of stock"
    assert by_id[medium_red.id]["price"] == "€22.00"
    assert by_id[medium_red.id]["message"] == "Only 2 left"
    assert data["selected"] == medium_red.id
    assert by_id[medium_red.id]["image"] == {"src": "/uploads/tee/red.jpg", "alt": "Red tee"}
    assert by_id[small.id]["image"]["alt"] == "Navy tee"
    assert re.search(rf'<option value="{medium_red.id}" selected>', html)
    # Another product's variant id is ignored.
    other = make_product()
    assert picker_of(client.get(f"/products/{tee.slug}?variant={other.variants[0].id}")
                     .get_data(as_text=True))["selected"] is None
    assert f'value="{small.id}"' in html
