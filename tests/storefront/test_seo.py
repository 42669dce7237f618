"""What search engines and link previews read: sitemap, robots, canonical, Open Graph,
JSON-LD Product data, the favicon, and the delivery note next to Add to cart."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from store.dev.seed import SEEDS, load_catalog
from store.extensions import db
from store.models import Page, Product
from tests.factories import make_product

STORE_URL = "https://shop.example.com"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def app_config():
    return {"STORE_URL": STORE_URL, "TRUSTED_HOSTS": ["localhost", "shop.example.com"]}


@pytest.fixture
def demo(app):
    load_catalog(SEEDS / "catalog.json")


def sitemap_urls(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    return [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]


def test_sitemap_lists_home_categories_active_products_and_published_pages(client, demo):
    """Every URL is on STORE_URL; hidden products and unpublished pages are left out."""
    hidden = db.session.scalar(db.select(Product).where(Product.slug == "fireside-hoodie"))
    hidden.active = False
    db.session.scalar(db.select(Page).where(Page.slug == "legal")).published = False
    db.session.commit()
    urls = sitemap_urls(client)
    assert urls[:2] == [f"{STORE_URL}/", f"{STORE_URL}/products/"]
    assert f"{STORE_URL}/products/?category=jewelry" in urls
    assert f"{STORE_URL}/products/harbour-lights-tee" in urls
    assert f"{STORE_URL}/products/fireside-hoodie" not in urls
    assert f"{STORE_URL}/pages/shipping-returns" in urls
    assert f"{STORE_URL}/pages/legal" not in urls
    active = db.session.scalar(db.select(db.func.count()).where(Product.active.is_(True)))
    assert len([u for u in urls if "/products/" in u and "?" not in u
                and not u.endswith("/products/")]) == active
    assert all(u.startswith(STORE_URL + "/") for u in urls)


def test_sitemap_query_count_does_not_grow_with_the_catalog(client, demo, count_queries):
    """Three queries (products, categories, pages) for 44 products or 84."""
    client.get("/")
    with count_queries() as before:
        sitemap_urls(client)
    for n in range(40):
        make_product(name=f"Extra {n}")
    with count_queries() as after:
        assert len(sitemap_urls(client)) > 80
    assert len(before) == len(after) <= 4


def test_robots_keeps_crawlers_out_of_private_pages_and_names_the_sitemap(client):
    """robots.txt disallows the back office, cart, checkout, account and orders."""
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    for path in ("/admin", "/cart", "/checkout", "/account", "/orders"):
        assert f"Disallow: {path}\n" in text
    assert f"Sitemap: {STORE_URL}/sitemap.xml" in text
    assert "Disallow: /products" not in text


def product_page(client, slug="harbour-lights-tee") -> str:
    response = client.get(f"/products/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>',
                        html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0][1])


def test_product_page_has_json_ld_product_with_offers(client, demo):
    """Search engines read name, images, and each variant's price, currency and stock."""
    html = product_page(client)
    data = json_ld(html)
    assert data["@type"] == "Product" and data["name"] == "Harbour Lights Tee"
    assert data["url"] == f"{STORE_URL}/products/harbour-lights-tee"
    assert all(i.startswith(f"{STORE_URL}/uploads/products/") for i in data["image"])
    product = db.session.scalar(db.select(Product).where(Product.slug == "harbour-lights-tee"))
    offers = {o["sku"]: o for o in data["offers"]}
    assert len(offers) == len([v for v in product.variants if v.active])
    for variant in product.variants:
        offer = offers[variant.sku]
        assert offer["@type"] == "Offer" and offer["priceCurrency"] == "EUR"
        assert offer["price"] == f"{variant.price:.2f}"
        expected = "InStock" if variant.stock > 0 else "OutOfStock"
        assert offer["availability"] == f"https://schema.org/{expected}"


def test_json_ld_carries_the_pages_csp_nonce_and_cannot_break_out(client):
    """The block's nonce is the page's; a "</script>" in a name stays inside the JSON."""
    make_product(name="Evil </script><script>alert(1)</script> Mug", slug="evil-mug")
    response = client.get("/products/evil-mug")
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'type="application/ld+json" nonce="{nonce}"' in html
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"].startswith("Evil </script>")


def test_product_page_has_description_canonical_and_open_graph(client, demo):
    """Meta description from the product text; canonical and og:url on STORE_URL."""
    html = product_page(client)
    assert re.search(r'<meta name="description" content="A soft organic cotton tee[^"]*">',
                     html)
    url = f"{STORE_URL}/products/harbour-lights-tee"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="product">' in html
    assert '<meta property="og:title" content="Harbour Lights Tee">' in html
    assert re.search(rf'<meta property="og:image" content="{STORE_URL}/uploads/products/', html)


def test_listing_canonical_keeps_category_and_page_but_not_sort(client, demo):
    """Sorted views point at the plain category page; searches are not indexed."""
    html = client.get("/products/?category=clothes&sort=price_asc").get_data(as_text=True)
    assert f'<link rel="canonical" href="{STORE_URL}/products/?category=clothes">' in html
    html = client.get("/products/?page=2&sort=name").get_data(as_text=True)
    assert f'<link rel="canonical" href="{STORE_URL}/products/?page=2">' in html
    html = client.get("/products/?page=1").get_data(as_text=True)
    assert f'<link rel="canonical" href="{STORE_URL}/products/">' in html
    html = client.get("/products/?q=tee").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html
    html = client.get("/products/no-such-thing").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in html


def test_canonical_ignores_the_host_a_request_came_with(client, demo):
    """A request with another (trusted) Host still names STORE_URL as canonical."""
    html = client.get("/products/morning-fog-tee",
                      base_url="http://localhost").get_data(as_text=True)
    assert f'<link rel="canonical" href="{STORE_URL}/products/morning-fog-tee">' in html


def test_favicons_are_served_and_linked(client):
    """An SVG icon, a PNG and /favicon.ico that browsers ask for on their own."""
    html = client.get("/").get_data(as_text=True)
    for href in re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', html):
        assert client.get(href).status_code == 200
    assert 'type="image/svg+xml"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"


def test_delivery_and_returns_note_next_to_add_to_cart(client, demo):
    """The product page says how shipping and returns work and links the policy page."""
    html = product_page(client)
    note = html.index('class="delivery-note"')
    assert html.index("Add to cart") < note
    assert 'href="/pages/shipping-returns"' in html[note:note + 400]
    assert client.get("/pages/shipping-returns").status_code == 200
