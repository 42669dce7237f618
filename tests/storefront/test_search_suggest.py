"""Search suggestions: a small JSON answer of products and categories as a customer types."""

import re

import pytest

from store.dev.seed import SEEDS, load_catalog


@pytest.fixture
def demo(app):
    load_catalog(SEEDS / "catalog.json")


def suggest(client, q, **headers):
    response = client.get("/search/suggest", query_string={"q": q}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response


def test_suggestions_name_products_with_link_price_and_image(client, demo):
    """Typing "hood" suggests the hoodies with their page, price and picture."""
    data = suggest(client, "hood").get_json()
    assert {p["name"] for p in data["products"]} == {"Fireside Hoodie", "Tideline Zip Hoodie",
                                                     "Pine Trail Hoodie"}
    fireside = next(p for p in data["products"] if p["name"] == "Fireside Hoodie")
    assert fireside["url"] == "/products/fireside-hoodie"
    assert re.fullmatch(r"(from )?€\d+\.\d\d", fireside["price"])
    assert fireside["image"].startswith("/uploads/products/")
    assert client.get(fireside["image"]).status_code == 200
    assert data["categories"] == []


def test_suggestions_include_categories_and_stop_at_six_products(client, demo):
    """"jewel" suggests the Jewelry category and at most six of its many products."""
    data = suggest(client, "jewel").get_json()
    assert data["categories"] == [{"name": "Jewelry", "url": "/products/?category=jewelry"}]
    assert len(data["products"]) == 6
    assert suggest(client, "book").get_json()["categories"][0]["name"] == "Books"


def test_prices_follow_the_readers_language(client, demo):
    """A Spanish reader sees "25,00 €"; the answer varies by language and may be cached."""
    response = suggest(client, "fireside", **{"Accept-Language": "es"})
    assert response.get_json()["products"][0]["price"].replace("\xa0", " ").endswith(",00 €")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response.headers["Vary"]


def test_typos_and_plurals_are_suggested_too(client, demo):
    """Suggestions use the same search: "hodie" and "necklaces" find products."""
    assert suggest(client, "hodie").get_json()["products"]
    assert len(suggest(client, "necklaces").get_json()["products"]) == 3


@pytest.mark.parametrize("q", ["", "a", " h ", "!!", "\"*", "a OR b NEAR(", "x" * 500,
                               "' OR 1=1 --", "\x00\x01", "zzzzqqq"])
def test_short_or_odd_input_gives_empty_lists(client, demo, q):
    """Fewer than two characters, punctuation or nonsense: empty lists, never an error."""
    data = suggest(client, q).get_json()
    assert data == {"products": [], "categories": []}


def test_suggestions_cost_the_same_queries_for_any_catalog(client, demo, count_queries):
    """The number of SQL statements does not grow with the number of matches."""
    client.get("/")
    with count_queries() as few:
        suggest(client, "fireside")
    with count_queries() as many:
        suggest(client, "silver")
    assert len(few) == len(many) <= 7
