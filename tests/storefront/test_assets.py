"""The storefront's built scripts reach the pages: module scripts with the page's nonce,
their shared Vue chunk preloaded once, files served; without a build the pages still work."""

import re

import pytest

from store.storefront.assets import MANIFEST, load_manifest
from tests.factories import make_product
from tests.shopping import add_to_cart, isolated_requests  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(not MANIFEST.exists(),
                                reason="static/dist is not built (make build)")


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def test_the_product_page_loads_its_islands_with_the_nonce(client):
    """The product page loads the search, variant picker and add-to-cart modules, each with
    this response's nonce; the shared Vue chunk is preloaded once; the files are served."""
    tee = make_product(variants=[{"sku": "A", "options": {"size": "S"}, "stock": 1},
                                 {"sku": "B", "options": {"size": "M"}, "stock": 1}])
    response = client.get(f"/products/{tee.slug}")
    html, nonce = response.get_data(as_text=True), nonce_of(response)
    scripts = re.findall(r'<script type="module" src="([^"]+)" nonce="([^"]+)"></script>', html)
    names = sorted(re.sub(r"-[\w-]{8}\.js$", "", src.rsplit("/", 1)[1]) for src, _n in scripts)
    assert names == ["add-to-cart", "search", "variant-picker"]
    assert all(n == nonce for _src, n in scripts)
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)"', html)
    assert len(preloads) == len(set(preloads)) and any("/vue-" in p for p in preloads)
    for src in [s for s, _n in scripts] + preloads:
        served = client.get(src)
        assert served.status_code == 200 and "javascript" in served.content_type, src
        served.close()
    # No inline script: every <script> has a src, or is a JSON data block.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert (' src="' in tag or 'type="application/json"' in tag
                or 'type="application/ld+json"' in tag), tag


def test_cart_and_checkout_pages_load_their_islands(client):
    """The cart page loads the cart island with its data, the checkout page the checkout's."""
    mug = make_product(stock=3)
    add_to_cart(client, mug.variants[0].id, 1)
    cart = client.get("/cart").get_data(as_text=True)
    assert re.search(r'src="/static/dist/assets/cart-[\w-]+\.js"', cart)
    assert 'id="cart-data"' in cart
    checkout = client.get("/checkout").get_data(as_text=True)
    assert re.search(r'src="/static/dist/assets/checkout-[\w-]+\.js"', checkout)


def test_without_a_build_the_pages_have_no_script_tags(tmp_path):
    """A missing manifest gives no script at all, not an error (the no-script path)."""
    assert load_manifest(tmp_path / "missing.json") == {}
