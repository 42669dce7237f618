"""Search: words in name, description, category and SKU, ranked, combined with filters."""

import re

import pytest

from store.catalog import search
from store.dev.seed import seed_synthetic
from store.extensions import db
from store.models import Category, Product, Variant
from tests.factories import make_category, make_product


def names(client, **params) -> list[str]:
    response = client.get("/products/", query_string=params)
    assert response.status_code == 200
    return re.findall(r"<h3>([^<]+)</h3>", response.get_data(as_text=True))


@pytest.fixture
def shelf(app):
    """A small catalog: two clothes, a book and a ring."""
    clothes = make_category(slug="clothes", name="Clothes")
    books = make_category(slug="books", name="Books")
    make_product(name="Harbour Lights Tee", price="25.00", category=clothes,
                 description="<p>Soft <strong>organic</strong> cotton, printed by hand.</p>",
                 variants=[{"sku": "TEE-HARB-M", "options": {"size": "M"}, "stock": 3},
                           {"sku": "TEE-HARB-L", "options": {"size": "L"}, "stock": 3}])
    make_product(name="Cotton Market Tote", price="15.00", category=clothes,
                 description="<p>A roomy bag for the harbour market.</p>")
    make_product(name="The Quiet Harbour", price="18.00", category=books,
                 description="<p>A novel of a fishing town.</p>")
    make_product(name="Árbol Silver Ring", price="80.00",
                 description="<p>Hand-cut silver, inspired by a tree.</p>")


def test_search_finds_name_description_category_and_sku(client, shelf):
    """Words from a name, a description, a category or a SKU all find the product."""
    assert set(names(client, q="harbour")) == {"Harbour Lights Tee", "Cotton Market Tote",
                                               "The Quiet Harbour"}
    assert names(client, q="organic") == ["Harbour Lights Tee"]
    assert set(names(client, q="books")) == {"The Quiet Harbour"}
    assert names(client, q="TEE-HARB-L") == ["Harbour Lights Tee"]
    assert names(client, q="tee harb l") == ["Harbour Lights Tee"]


def test_every_word_must_match_and_prefixes_count(client, shelf):
    """All words must match; a word's beginning is enough ("harb" finds "harbour")."""
    assert set(names(client, q="harbour cotton")) == {"Harbour Lights Tee", "Cotton Market Tote"}
    assert names(client, q="harb novel") == ["The Quiet Harbour"]


def test_results_are_ranked_by_relevance(client, shelf):
    """A product named after the words comes before one that only mentions them."""
    found = names(client, q="harbour")
    assert found.index("The Quiet Harbour") < found.index("Cotton Market Tote")
    assert found.index("Harbour Lights Tee") < found.index("Cotton Market Tote")


def test_accents_and_case_do_not_matter(client, shelf):
    """"arbol", "ÁRBOL" and "Árbol" find the same ring."""
    for q in ("arbol", "ÁRBOL", "Árbol"):
        assert names(client, q=q) == ["Árbol Silver Ring"]


def test_markup_in_descriptions_is_not_searchable(client, shelf):
    """Searching for an HTML tag name does not match every description."""
    assert names(client, q="strong") == []


@pytest.mark.parametrize("q", ["zzzqqq", "!!!", "\"*", "a OR b NEAR(", "' OR 1=1 --",
                               "harbour -tee", "NOT", "x" * 200])
def test_nonsense_queries_get_a_helpful_page(client, shelf, q):
    """Odd input never errors: it finds what matches, or says nothing does and what to try."""
    response = client.get("/products/", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "<h3>" not in html:
        assert "Nothing matches" in html and "Try fewer or different words" in html


def test_search_combines_with_category_sort_and_pages(client, shelf):
    """A search can be narrowed to a category, sorted by price and paged."""
    assert set(names(client, q="harbour", category="clothes")) == {"Harbour Lights Tee",
                                                                   "Cotton Market Tote"}
    assert names(client, q="harbour", sort="price_asc") == [
        "Cotton Market Tote", "The Quiet Harbour", "Harbour Lights Tee"]
    assert names(client, q="harbour", sort="price_desc")[0] == "Harbour Lights Tee"
    for n in range(14):
        make_product(name=f"Seaside Poster {n}")
    first, second = names(client, q="seaside poster"), names(client, q="seaside poster", page=2)
    assert len(first) == 12 and len(second) == 2 and not set(first) & set(second)


def test_inactive_products_are_not_found(client, shelf):
    """A product taken off sale disappears from search."""
    product = db.session.scalar(db.select(Product).where(Product.name == "The Quiet Harbour"))
    product.active = False
    db.session.commit()
    assert "The Quiet Harbour" not in names(client, q="harbour")


def test_index_follows_every_change(client, shelf):
    """Renaming, recategorising, new SKUs and deletions show in search at once."""
    tee = db.session.scalar(db.select(Product).where(Product.name == "Harbour Lights Tee"))
    tee.name = "Lighthouse Tee"
    db.session.commit()
    assert names(client, q="lighthouse") == ["Lighthouse Tee"]
    db.session.scalar(db.select(Category).where(Category.slug == "clothes")).name = "Apparel"
    db.session.commit()
    assert set(names(client, q="apparel")) == {"Lighthouse Tee", "Cotton Market Tote"}
    tee.variants.append(Variant(sku="TEE-GLOW-XL", options={"size": "XL"}, stock=0))
    db.session.commit()
    assert names(client, q="glow") == ["Lighthouse Tee"]
    db.session.delete(tee)
    db.session.commit()
    assert names(client, q="lighthouse") == []


def test_bulk_inserted_products_are_searchable(app, client):
    """Products added in bulk (seed, import) are found without any extra step."""
    seed_synthetic(50)
    some = db.session.scalar(db.select(Product).order_by(Product.id.desc()))
    assert some.name in names(client, q=some.name)
    sku = some.variants[0].sku
    assert some.name in names(client, q=sku)


def test_create_search_index_rebuilds_from_existing_rows(app, client, shelf):
    """Running the index DDL again (a migration) is harmless and refills the index."""
    with db.engine.begin() as conn:
        search.drop_search_index(conn)
        search.create_search_index(conn)
        search.create_search_index(conn)
    assert names(client, q="organic") == ["Harbour Lights Tee"]


def test_search_terms_ignore_punctuation():
    """Only letters and digits make words; at most eight are used."""
    assert search.search_terms('Tee-Harb "M"*') == ["tee", "harb", "m"]
    assert search.search_terms("!!!") == []
    assert len(search.search_terms(" ".join(f"w{n}" for n in range(20)))) == 8


@pytest.mark.postgres
def test_postgres_full_text_search(pg_app):
    """The same searches work on PostgreSQL's full-text index."""
    client = pg_app.test_client()
    clothes = make_category(slug="clothes", name="Clothes")
    make_product(name="Harbour Lights Tee", category=clothes, price="25.00",
                 description="<p>Soft <strong>organic</strong> cotton.</p>",
                 variants=[{"sku": "TEE-HARB-L", "options": {"size": "L"}, "stock": 3}])
    make_product(name="Cotton Market Tote", price="15.00",
                 description="<p>For the harbour market.</p>")
    make_product(name="Árbol Silver Ring", price="80.00")
    assert names(client, q="harbour") == ["Harbour Lights Tee", "Cotton Market Tote"]
    assert names(client, q="clothes") == ["Harbour Lights Tee"]
    assert names(client, q="TEE-HARB-L") == ["Harbour Lights Tee"]
    assert names(client, q="arbol") == ["Árbol Silver Ring"]
    assert names(client, q="strong") == []
    assert names(client, q="harb", sort="price_asc") == ["Cotton Market Tote",
                                                         "Harbour Lights Tee"]
    clothes.name = "Apparel"
    db.session.commit()
    assert names(client, q="apparel") == ["Harbour Lights Tee"]
    seed_synthetic(30)
    some = db.session.scalar(db.select(Product).order_by(Product.id.desc()))
    assert some.name in names(client, q=some.variants[1].sku)
