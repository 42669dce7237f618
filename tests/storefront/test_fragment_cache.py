"""Cached catalog fragments: a change shows on the next page, in every worker, and the parts
that belong to one visitor (cart count, CSRF token) stay theirs."""

import re
from decimal import Decimal

import pytest

from store import create_app
from store.catalog import freshness
from store.database import write_transaction
from store.extensions import db
from store.inventory import services as inventory
from store.models import StoreSettings
from store.settings.services import get_settings, update_settings
from store.storefront import fragments
from tests.conftest import base_config
from tests.factories import make_category, make_product
from tests.shopping import IsolatedClient, add_to_cart, checkout


@pytest.fixture(autouse=True)
def settings_row(app):
    """The settings row exists, as in a running shop (its version keys the fragments)."""
    db.session.rollback()
    assert get_settings().version


def version() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(StoreSettings.version))


def text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def warm(client, product) -> None:
    """Render (and keep) the home page, the catalog and the product page."""
    for path in ("/", "/products/", f"/products/{product.slug}"):
        text(client, path)


def test_a_price_edit_shows_at_once(client):
    """A shopper who saw a mug at €9.00 sees €7.50 on the next page after the owner's edit."""
    # given a mug whose pages were already rendered
    mug = make_product(name="Mug", price="9.00", featured=True)
    warm(client, mug)
    assert "€9.00" in text(client, "/products/")
    # when its price changes
    mug.price = Decimal("7.50")
    db.session.commit()
    # then the catalog, the home page and the product page show the new price
    for path in ("/", "/products/", f"/products/{mug.slug}"):
        page = text(client, path)
        assert "€7.50" in page and "€9.00" not in page, path


def test_stock_running_out_shows_at_once(client):
    """When the last lamp is sold, its card and its page say "Out of stock" straight away."""
    # given a lamp with one left, its pages rendered
    lamp = make_product(name="Lamp", stock=1)
    warm(client, lamp)
    assert "Out of stock" not in text(client, "/products/")
    # when the last one is taken
    with write_transaction():
        inventory.change_stock(lamp.variants[0].id, -1, "sale")
    # then the card and the page say so
    assert "Out of stock" in text(client, "/products/")
    assert "Out of stock" in text(client, f"/products/{lamp.slug}")


def test_a_checkout_that_buys_the_last_one_shows_at_once(client):
    """When a customer's order takes the last lamp, the next shopper reads "Out of stock"."""
    # given a lamp with one left, its pages rendered
    lamp = make_product(name="Lamp", stock=1)
    warm(client, lamp)
    # when a customer checks it out
    buyer = IsolatedClient(client.application)
    add_to_cart(buyer, lamp.variants[0].id)
    assert checkout(buyer).status_code == 303
    # then the card and the page say so
    assert "Out of stock" in text(client, "/products/")
    assert "Out of stock" in text(client, f"/products/{lamp.slug}")


def test_a_stock_change_within_in_stock_keeps_the_pages(client):
    """Selling one of fifty changes nothing a shopper reads, so the pages stay cached;
    one of the last three does ("Only 2 left")."""
    # given a scarf with fifty in stock
    scarf = make_product(name="Scarf", stock=50)
    warm(client, scarf)
    before = version()
    # when one sells, the catalog version stays
    with write_transaction():
        inventory.change_stock(scarf.variants[0].id, -1, "sale")
    assert version() == before
    # when it falls to the low range, it moves and the page counts what is left
    with write_transaction():
        inventory.change_stock(scarf.variants[0].id, -46, "sale")
    assert version() > before
    assert "Only 3 left" in text(client, f"/products/{scarf.slug}")
    with write_transaction():
        inventory.change_stock(scarf.variants[0].id, -1, "sale")
    assert "Only 2 left" in text(client, f"/products/{scarf.slug}")


def test_a_hidden_product_disappears_at_once(client):
    """A product the owner hides is gone from the catalog and its page is a 404."""
    # given a visible product with its pages rendered
    vase = make_product(name="Blue Vase", featured=True)
    warm(client, vase)
    # when it is hidden
    vase.active = False
    db.session.commit()
    # then no page shows it
    assert "Blue Vase" not in text(client, "/products/")
    assert "Blue Vase" not in text(client, "/")
    assert client.get(f"/products/{vase.slug}").status_code == 404


def test_a_setting_change_shows_at_once(client, auth):
    """The shop's new name shows on a catalog page served from the cache."""
    # given cached pages
    mug = make_product(name="Mug")
    warm(client, mug)
    # when the owner renames the shop
    update_settings({"shop_name": "Harbour Goods"}, actor=auth.user("owner"))
    # then the next page carries it
    assert "Harbour Goods" in text(client, f"/products/{mug.slug}")


def test_another_worker_sees_a_change_on_its_next_request(app, tmp_path):
    """Two workers (two apps on one database) each keep pages; a change in one shows in both."""
    # given a second worker that has rendered the catalog too
    other = create_app(base_config(tmp_path,
                                   SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]))
    mug = make_product(name="Mug", price="9.00")
    with other.app_context():
        assert "€9.00" in text(other.test_client(), "/products/")
    assert "€9.00" in text(app.test_client(), "/products/")
    # when this worker saves a new price
    mug.price = Decimal("6.00")
    db.session.commit()
    # then the other worker's next page has it
    with other.app_context():
        page = text(other.test_client(), "/products/")
        db.session.remove()
        db.engine.dispose()
    assert "€6.00" in page and "€9.00" not in page


def test_two_visitors_see_their_own_cart_and_token(app):
    """Ana has a mug in her cart and Ben has not; each sees their own count and posts with
    their own token from a product page served from the cache."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = IsolatedClient
    mug = make_product(name="Mug")
    ana, ben = app.test_client(), app.test_client()
    # given Ana adds the mug from the product page
    page = text(ana, f"/products/{mug.slug}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = ana.post("/cart/items", data={"csrf_token": token, "quantity": 1,
                                             "variant_id": mug.variants[0].id})
    assert response.status_code == 303
    # when both open the same (cached) pages
    for path in ("/products/", f"/products/{mug.slug}"):
        ana_page, ben_page = text(ana, path), text(ben, path)
        # then each sees their own cart and a token of their own
        assert '<span class="badge">1</span>' in ana_page
        assert 'class="badge"' not in ben_page
    ben_page = text(ben, f"/products/{mug.slug}")
    assert fragments.CSRF_SLOT not in ben_page
    ben_token = re.search(r'name="csrf_token" value="([^"]+)"', ben_page).group(1)
    assert ben.post("/cart/items", data={"csrf_token": ben_token, "quantity": 1,
                                         "variant_id": mug.variants[0].id}).status_code == 303
    assert '<span class="badge">1</span>' in text(ben, "/products/")


def test_a_cached_page_runs_one_statement(client, count_queries):
    """Once rendered, the catalog, home and product pages read only the catalog version."""
    mug = make_product(name="Mug", featured=True)
    warm(client, mug)
    for path in ("/", "/products/", "/products/?page=1&sort=name", f"/products/{mug.slug}"):
        text(client, path)
        with count_queries() as statements:
            text(client, path)
        assert len(statements) == 1, (path, statements)


def test_an_uncached_listing_runs_few_statements(client, count_queries, app):
    """With the cache off, a listing reads the version, counts, and loads its page, the
    cards' variants and images and the categories."""
    app.config["STORE_FRAGMENT_CACHE"] = False
    shelf = make_category()
    for _ in range(3):
        make_product(category=shelf)
    text(client, "/products/")
    with count_queries() as statements:
        text(client, "/products/")
    assert len(statements) == 6, statements


def test_the_ledger_reports_stock_moves_not_a_catalog_change(app):
    """A stock UPDATE by the ledger is left to its own check (not every sale is a change)."""
    lamp = make_product(name="Lamp", stock=20)
    with write_transaction():
        inventory.change_stock(lamp.variants[0].id, -1, "sale")
        assert not db.session.info.get(freshness.CHANGED)
        assert db.session.info[freshness.STOCK_MOVES] == [(lamp.variants[0].id, 19)]
