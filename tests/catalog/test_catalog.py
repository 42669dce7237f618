"""Catalog pages: home, list, filters, pagination and product page."""

from decimal import Decimal

import pytest

from store.catalog.html import sanitize_description
from store.catalog.services import PriceRange, price_range
from tests.factories import make_category, make_product


def test_home_shows_featured_products_and_categories(client):
    """The home page lists featured products and the categories."""
    books = make_category(slug="books", name="Books")
    make_product(name="Featured Novel", featured=True, category=books)
    make_product(name="Plain Pencil", featured=False)
    html = client.get("/").get_data(as_text=True)
    assert "Featured Novel" in html
    assert "Plain Pencil" not in html
    assert 'href="/products/?category=books"' in html


def test_catalog_filters_by_category(client):
    """Choosing a category shows only its products."""
    books = make_category(slug="books", name="Books")
    clothes = make_category(slug="clothes", name="Clothes")
    make_product(name="A Book", category=books)
    make_product(name="A Shirt", category=clothes)
    html = client.get("/products/?category=books").get_data(as_text=True)
    assert "A Book" in html and "A Shirt" not in html


def test_catalog_paginates(client):
    """Thirty products make three pages of twelve, twelve and six."""
    for i in range(30):
        make_product(name=f"Item {i:02d}", price="5.00")
    first = client.get("/products/?sort=name").get_data(as_text=True)
    third = client.get("/products/?sort=name&page=3").get_data(as_text=True)
    assert "Item 00" in first and "Item 12" not in first
    assert "Page 1 of 3" in first
    assert "Item 29" in third and "Item 23" not in third


def test_bad_page_numbers_get_clear_answers(client):
    """A page that is not a number is a 400 with a message; past the end is a 404."""
    make_product()
    response = client.get("/products/?page=abc")
    assert response.status_code == 400
    assert "whole number" in response.get_data(as_text=True)
    assert client.get("/products/?page=-3").status_code == 400
    assert client.get("/products/?page=99").status_code == 404


def test_unknown_category_is_404(client):
    """A category slug that does not exist is a 404 page."""
    assert client.get("/products/?category=nope").status_code == 404


def test_product_page_shows_variants_price_and_stock(client):
    """The product page lists each variant with price and stock status."""
    product = make_product(name="Linen Shirt", price="30.00", variants=[
        {"sku": "LS-S", "options": {"size": "S"}, "stock": 10},
        {"sku": "LS-M", "options": {"size": "M"}, "stock": 2, "low_stock_threshold": 3},
        {"sku": "LS-XL", "options": {"size": "XL"}, "stock": 0, "price": "34.00"},
    ])
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Linen Shirt" in html
    assert "In stock" in html
    assert "Only 2 left" in html
    assert "Out of stock" in html
    assert "€30.00" in html and "€34.00" in html


def test_price_range_counts_only_active_variants(app):
    """A product's price runs from its cheapest to its dearest variant still on sale."""
    product = make_product(price="30.00", variants=[
        {"sku": "PR-S"}, {"sku": "PR-L", "price": "34.00"},
        {"sku": "PR-XL", "price": "50.00", "active": False}])
    alone = make_product(price="12.00", variants=[{"sku": "PR-ONE", "active": False}])

    assert price_range(product) == PriceRange(Decimal("30.00"), Decimal("34.00"))
    assert price_range(product).varies
    assert price_range(alone) == PriceRange(Decimal("12.00"), Decimal("12.00"))
    assert not price_range(alone).varies


def test_list_shows_from_price_and_product_page_the_range(client):
    """Sizes at different prices read "from" the lowest in the list, and as a range inside."""
    shirt = make_product(name="Linen Shirt", price="30.00", variants=[
        {"sku": "LS-S"}, {"sku": "LS-XL", "price": "34.00"}])
    mug = make_product(name="Plain Mug", price="9.00", variants=[
        {"sku": "PM-1"}, {"sku": "PM-2", "price": "19.00", "active": False}])

    listing = client.get("/products/").get_data(as_text=True)
    shirt_page = client.get(f"/products/{shirt.slug}").get_data(as_text=True)
    mug_page = client.get(f"/products/{mug.slug}").get_data(as_text=True)

    assert "from €30.00" in listing
    assert "€9.00" in listing and "from €9.00" not in listing and "€19.00" not in listing
    assert '<p class="price">€30.00 – €34.00</p>' in shirt_page
    assert '<p class="price">€9.00</p>' in mug_page


def test_a_listed_product_with_no_variant_on_sale_shows_its_own_price(client):
    """A product whose variants are all switched off is listed at its own price."""
    make_product(name="Paused Tee", price="15.00", featured=True,
                 variants=[{"sku": "PT-1", "price": "18.00", "active": False}])

    for path in ("/", "/products/"):
        response = client.get(path)

        assert response.status_code == 200
        assert "€15.00" in response.get_data(as_text=True)


def test_unknown_product_is_404(client):
    """A product slug that does not exist is a 404 page, not an error."""
    response = client.get("/products/no-such-thing")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_inactive_product_is_hidden(client):
    """An inactive product is neither listed nor reachable."""
    product = make_product(name="Hidden Gem", active=False)
    assert "Hidden Gem" not in client.get("/products/").get_data(as_text=True)
    assert client.get(f"/products/{product.slug}").status_code == 404


def test_description_sanitized():
    """Scripts and event handlers never survive in a description."""
    html = sanitize_description('<p onclick="x()">Hi</p><script>alert(1)</script>'
                                '<img src=x onerror=alert(1)><a href="javascript:x">l</a>')
    assert "script" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert "<p>Hi</p>" in html
    assert sanitize_description("**bold** text") == "<p><strong>bold</strong> text</p>"


def test_storefront_query_count_does_not_grow_with_catalog(client, count_queries):
    """Home, catalog and product pages run the same number of SQL statements for any size."""
    def measure(tag):
        product = make_product(featured=True, variants=[
            {"sku": f"Q-{tag}-{n}", "options": {"size": str(n)}, "stock": 3} for n in range(3)])
        counts = []
        for path in ("/", "/products/", "/products/?category=&sort=price_asc",
                     f"/products/{product.slug}"):
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
        return counts

    client.get("/")  # the process's first request reads the store settings once
    small = measure("small")
    for i in range(40):
        make_product(featured=True, price=Decimal(i + 1), variants=[
            {"sku": f"BULK-{i}-{s}", "options": {"size": s}, "stock": 5} for s in "SML"])
    large = measure("large")
    assert small == large
    assert max(large) <= 9  # 8 + the store settings' version check (shop name in the layout)


@pytest.mark.parametrize("page, spanish", [
    ("abc", "La página debe ser un número entero."),
    ("0", "La página debe ser un número a partir de 1."),
])
def test_a_bad_page_number_is_explained_in_the_readers_language(client, page, spanish):
    """/products/?page=abc is a 400 that a Spanish reader reads in Spanish."""
    response = client.get(f"/products/?page={page}", headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert spanish in response.get_data(as_text=True)
    english = client.get(f"/products/?page={page}", headers={"Accept-Language": "en"})
    assert english.status_code == 400 and "The page must be" in english.get_data(as_text=True)


def test_a_missing_category_is_explained_in_spanish(client):
    """An unknown category is a 404 whose message a Spanish reader can read."""
    response = client.get("/products/?category=nope", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert "No existe esa categoría." in response.get_data(as_text=True)
