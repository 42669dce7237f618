"""The public catalog over the API: prices as strings, stock status, search, cursor pages, ETags."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from store.extensions import db
from store.inventory import services as inventory
from store.models import Product
from store.settings.services import get_settings
from tests.api.test_auth import assert_problem
from tests.factories import make_category, make_product


def test_a_product_shows_prices_as_strings_and_stock_as_a_status(app, bare):
    """Variants carry price strings and in/low/out, never the count on hand."""
    product = make_product(name="Harbour Tee", price="19.90", variants=[
        {"sku": "TEE-S", "options": {"size": "S"}, "stock": 47},
        {"sku": "TEE-M", "options": {"size": "M"}, "stock": 2, "price": "21.50"},
        {"sku": "TEE-L", "options": {"size": "L"}, "stock": 0}])
    body = bare.get(f"/api/v1/products/{product.slug}").get_json()
    assert (body["name"], body["price_from"], body["price_to"]) == ("Harbour Tee", "19.90",
                                                                   "21.50")
    assert body["url"] == f"/products/{product.slug}" and body["currency"] == "EUR"
    assert [(v["sku"], v["price"], v["stock_status"], v["options"]) for v in body["variants"]] \
        == [("TEE-S", "19.90", "in", {"size": "S"}), ("TEE-M", "21.50", "low", {"size": "M"}),
            ("TEE-L", "19.90", "out", {"size": "L"})]
    assert body["stock_status"] == "in"
    assert "stock" not in body["variants"][0] and "47" not in str(body)


def test_inactive_and_unknown_products_are_404_problems(app, bare):
    """A withdrawn product is not found, exactly like one that never existed."""
    hidden = make_product(active=False)
    assert_problem(bare.get(f"/api/v1/products/{hidden.slug}"), 404)
    assert_problem(bare.get("/api/v1/products/no-such-thing"), 404)
    assert [p["id"] for p in bare.get("/api/v1/products").get_json()["items"]] == []


def test_cursor_pages_walk_every_product_once(app, bare, count_queries):
    """limit=2 over five products: three pages by their `next` links, then null; each page
    costs the same few queries however many products it shows."""
    ids = [make_product().id for _ in range(5)]
    seen, url, pages = [], "/api/v1/products?limit=2", 0
    while url:
        with count_queries() as queries:
            body = bare.get(url).get_json()
        assert len(queries) <= 5, queries
        seen += [p["id"] for p in body["items"]]
        url, pages = body["next"], pages + 1
        if url:
            assert "cursor" in parse_qs(urlsplit(url).query)
    assert seen == ids and pages == 3


def test_search_and_category_filter(app, bare):
    """`q` finds by words of the name; `category` keeps one shelf; unknown shelf is 404."""
    books = make_category(slug="books", name="Books")
    novel = make_product(name="Winter Novel", category=books)
    make_product(name="Summer Poster")
    found = bare.get("/api/v1/products?q=novel").get_json()["items"]
    assert [p["id"] for p in found] == [novel.id]
    shelf = bare.get("/api/v1/products?category=books").get_json()["items"]
    assert [(p["id"], p["category"]["name"]) for p in shelf] == [(novel.id, "Books")]
    assert_problem(bare.get("/api/v1/products?category=nope"), 404)
    categories = bare.get("/api/v1/categories").get_json()["items"]
    assert {"slug": "books", "name": "Books", "description": ""} in categories


def test_bad_cursor_and_limit_are_client_errors(app, bare):
    """A cursor we never issued is a 400; a limit out of range is a 422 naming `limit`."""
    assert_problem(bare.get("/api/v1/products?cursor=not-ours"), 400)
    assert_problem(bare.get("/api/v1/products?cursor=YzE6LTU"), 400)  # "c1:-5"
    assert set(assert_problem(bare.get("/api/v1/products?limit=1000"), 422)["errors"]) == {
        "limit"}


def test_etag_revalidation_answers_304_until_something_changes(app, bare):
    """A public read is cacheable for a minute; If-None-Match with its ETag gets a bodiless 304,
    and once the product's stock status changes the old ETag gets the new body."""
    product = make_product(stock=10)
    first = bare.get(f"/api/v1/products/{product.slug}")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = bare.get(f"/api/v1/products/{product.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    listing = bare.get("/api/v1/products")
    assert bare.get("/api/v1/products", headers={
        "If-None-Match": listing.headers["ETag"]}).status_code == 304

    inventory.change_stock(product.variants[0].id, -10, "correction")
    db.session.commit()
    changed = bare.get(f"/api/v1/products/{product.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["stock_status"] == "out"


def test_private_reads_are_not_cacheable(app, bare, token_for):
    """A customer's own data is never stored by shared caches."""
    response = bare.get("/api/v1/orders", headers={"Authentication-Token": token_for()})
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_cached_reads_show_a_change_at_once(app, bare, count_queries):
    """In a running shop (settings row present) the product list is kept between calls,
    yet a price edit, a stock-out and a hidden product show on the very next call."""
    db.session.rollback()
    assert get_settings().version  # the row exists: reads are cached on its version
    mug, tee = make_product(price="12.50", stock=10), make_product(price="20.00")
    assert [p["price_from"] for p in bare.get("/api/v1/products").get_json()["items"]] == [
        "12.50", "20.00"]
    with count_queries() as queries:
        bare.get("/api/v1/products")
    assert not [q for q in queries if "FROM product" in q], queries  # served from the cache

    db.session.get(Product, mug.id).price = Decimal("14.00")
    db.session.commit()
    items = bare.get("/api/v1/products").get_json()["items"]
    assert [p["price_from"] for p in items] == ["14.00", "20.00"]

    inventory.change_stock(mug.variants[0].id, -10, "correction")
    db.session.commit()
    assert bare.get(f"/api/v1/products/{mug.slug}").get_json()["stock_status"] == "out"

    db.session.get(Product, tee.id).active = False
    db.session.commit()
    assert [p["id"] for p in bare.get("/api/v1/products").get_json()["items"]] == [mug.id]
    assert bare.get(f"/api/v1/products/{tee.slug}").status_code == 404
