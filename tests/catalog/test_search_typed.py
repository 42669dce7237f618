"""Search finds what people type in the demo catalog: plurals, colours, categories, typos."""

import pytest

from store.catalog import search
from store.dev.seed import SEEDS, load_catalog
from tests.catalog.test_search import names
from tests.factories import make_product


@pytest.fixture
def demo(app):
    """The demo shop's catalog plus a product with a Spanish, accented name."""
    load_catalog(SEEDS / "catalog.json")
    make_product(name="Camiseta Canción del Mar", price="19.00",
                 description="<p>Algodón orgánico.</p>")


def check_demo_searches(client):
    """The searches of issue 13 on the demo catalog (shared by SQLite and PostgreSQL)."""
    tees = set(names(client, q="tees"))
    assert {"Harbour Lights Tee", "Morning Fog Tee", "Little Lighthouse Tee",
            "Seaside Long Sleeve Tee"} <= tees
    assert set(names(client, q="hoodies")) == {"Fireside Hoodie", "Tideline Zip Hoodie",
                                               "Pine Trail Hoodie"}
    assert set(names(client, q="hodie")) == {"Fireside Hoodie", "Tideline Zip Hoodie",
                                             "Pine Trail Hoodie"}
    assert set(names(client, q="navy")) == {"Harbour Lights Tee", "Ribbed Knit Beanie"}
    assert set(names(client, q="charcoal")) == {"Tideline Zip Hoodie"}
    rings = names(client, q="rings")
    assert {"Dewdrop Silver Ring", "Twisted Vine Ring", "Moonstone Halo Ring"} <= set(rings)
    assert set(names(client, q="jewelry")) >= set(rings)
    assert names(client, q="navy beanie") == ["Ribbed Knit Beanie"]
    assert names(client, q="necklaces rose") == ["Compass Rose Necklace", "Tiny Leaf Necklace"]
    for q in ("cancion", "CANCIÓN", "canción", "algodon"):
        assert names(client, q=q) == ["Camiseta Canción del Mar"], q
    assert names(client, q="cancoin") == ["Camiseta Canción del Mar"]  # two letters swapped
    # Several misspelt words, each starting with a different letter, corrected together.
    assert names(client, q="hodie tidline chracoal") == ["Tideline Zip Hoodie"]
    assert names(client, q="zzzqqqxx") == []


def test_demo_searches_on_sqlite(client, demo):
    """"tees", "navy", "rings", "hodie" and accented Spanish words all find products."""
    check_demo_searches(client)


@pytest.mark.postgres
def test_demo_searches_on_postgres(pg_app):
    """The same searches find the same products on PostgreSQL."""
    load_catalog(SEEDS / "catalog.json")
    make_product(name="Camiseta Canción del Mar", price="19.00",
                 description="<p>Algodón orgánico.</p>")
    check_demo_searches(pg_app.test_client())


def test_products_named_after_the_words_come_first(client, demo):
    """A product named "... Ring" ranks above one that only mentions rings in its text."""
    found = names(client, q="ring")
    assert found[0].endswith("Ring")
    assert set(names(client, q="lighthouse")[:2]) == {"Little Lighthouse Tee",
                                                      "Enamel Lighthouse Pin"}


def test_a_typo_only_changes_the_misspelt_word(client, demo):
    """In "navy hodie" only "hodie" is corrected; a short or numeric word never is."""
    assert names(client, q="navy hodie") == []  # no navy hoodie in the demo shop
    assert names(client, q="charcoal hodie") == ["Tideline Zip Hoodie"]
    assert names(client, q="xyz") == []
    assert names(client, q="9999") == []


def test_query_count_is_the_same_for_any_number_of_words(client, demo, count_queries):
    """A search costs the same statements for one word or eight; a typo adds one."""
    client.get("/")

    def count(q):
        with count_queries() as statements:
            assert client.get("/products/", query_string={"q": q}).status_code == 200
        return len(statements)

    one, eight = count("tee"), count("tee navy m s l cotton soft harbour")
    assert one == eight
    assert count("hodie") == one + 1
    assert count("hodie tidline chracoal") == one + 1


def test_closest_word_allows_one_edit_in_short_words_and_two_in_long():
    """"hodie" is one edit from "hoodie"; "brasselet" two from "bracelet"; "brclt" is too far."""
    assert search.closest_word("hodie", ["hoodi", "hood", "holid"]) == "hoodi"
    assert search.closest_word("brasselet", ["bracelet"]) == "bracelet"
    assert search.closest_word("brclt", ["bracelet"]) is None
    assert search.closest_word("qwerty", ["bracelet"]) is None
    assert search.edit_distance("ring", "rign") == 1
    assert search.edit_distance("", "abc") == 3
