"""For search engines and browsers: /robots.txt, /sitemap.xml, the favicon, canonical URLs
and a product's structured data. Every absolute URL is built on STORE_URL."""

from urllib.parse import urlsplit

from flask import current_app, render_template, request, send_from_directory

from store.catalog import seo
from store.notifications.outbox import external_url
from store.storefront.blueprint import bp

# Pages that are private to a visitor, or a step of buying: nothing there to index.
DISALLOWED = ("/admin", "/cart", "/checkout", "/account", "/orders")
# Query arguments that make a different page of the catalog; the rest (sort, q) do not.
CANONICAL_ARGS = ("category", "page")


@bp.app_template_global()
def canonical_url() -> str:
    """This page's address on STORE_URL, keeping only the arguments that change content."""
    values = {k: request.args[k] for k in CANONICAL_ARGS
              if request.args.get(k) and not (k == "page" and request.args[k] == "1")}
    if request.endpoint and request.url_rule is not None:
        return external_url(request.endpoint, **(request.view_args or {}), **values)
    return current_app.config["STORE_URL"].rstrip("/") + request.path


@bp.app_template_global()
def absolute_url(endpoint: str, **values) -> str:
    """An absolute link on STORE_URL (Open Graph images, structured data)."""
    return external_url(endpoint, **values)


@bp.app_template_global()
def product_structured_data(product) -> dict:
    """schema.org Product data for a product page's JSON-LD block."""
    url = external_url("storefront.product_detail", slug=product.slug)
    images = [external_url("storefront.upload", filename=image.path)
              for image in product.images]
    return seo.product_data(product, url, images)


bp.add_app_template_global(seo.summary, "summary")


def _url_builder():
    """external_url with its URL adapter bound once (the sitemap builds thousands)."""
    base = urlsplit(current_app.config["STORE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    return lambda endpoint, **values: adapter.build(endpoint, values, force_external=True)


@bp.get("/robots.txt")
def robots():
    """Crawlers may read the catalog but not carts, checkout, accounts or the back office."""
    lines = ["User-agent: *"] + [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {external_url('storefront.sitemap')}", ""]
    return "\n".join(lines), 200, {"Content-Type": "text/plain; charset=utf-8",
                                   "Cache-Control": "public, max-age=3600"}


@bp.get("/sitemap.xml")
def sitemap():
    """Home, catalog, categories, active products and published pages, on STORE_URL."""
    body = render_template("storefront/sitemap.xml", entries=seo.sitemap_entries(),
                           url=_url_builder())
    return body, 200, {"Content-Type": "application/xml; charset=utf-8",
                       "Cache-Control": "public, max-age=3600"}


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own; pages link the SVG and PNG icons."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico",
                               max_age=7 * 24 * 3600)
