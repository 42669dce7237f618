"""Catalog pages: home, product list and product detail, plus language and uploads."""

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from store.catalog import services as catalog
from store.catalog.seo import summary
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.storefront import fragments
from store.storefront.blueprint import bp
from store.storefront.seo import absolute_url, product_structured_data
from store.storefront.variant_data import picker_data, selected_variant
from store.web import safe_next

# Every template that shows a product's price asks catalog.price_range, never the variants.
bp.add_app_template_global(catalog.price_range)


def _tojson(value) -> Markup:
    """What the `tojson` filter writes, for a fragment computed outside a template."""
    return htmlsafe_json_dumps(value, dumps=current_app.json.dumps, sort_keys=True)


def _home_body() -> Markup:
    return Markup(render_template("storefront/_home.html", featured=catalog.featured_products(),
                                  categories=catalog.categories()))


@bp.get("/")
def home():
    """Home: featured products and the categories."""
    return render_template("storefront/home.html",
                           body=fragments.cached("home", (), _home_body))


def _listing(q: str, category: str | None, sort: str, raw_page: str | None) -> dict:
    """A listing's body and what the page's title needs (raises ValidationFailed, NotFound)."""
    results, current = catalog.list_products(category=category, sort=sort,
                                             page=catalog.parse_page(raw_page), q=q)
    body = render_template("storefront/_listing.html", results=results, current=current,
                           categories=catalog.categories(), q=q, sort=sort,
                           sorts=catalog.SORTS)
    return {"body": Markup(body), "category_name": current.name if current else None,
            "category_summary": summary(current.description) if current else ""}


@bp.get("/products/")
def product_list():
    """The catalog: search, category filter, sort and pagination."""
    q = (request.args.get("q") or "").strip()[:200]
    category = request.args.get("category") or None
    sort = request.args.get("sort") or ("relevance" if q else "newest")
    # The pagination links repeat every argument: they are all part of the key.
    args = tuple(sorted(request.args.items(multi=True)))
    try:
        listing = fragments.cached("listing", args, lambda: _listing(
            q, category, sort, request.args.get("page")))
    except ValidationFailed as exc:
        return render_template("errors/error.html", message=exc.message, code=400), 400
    except NotFound as exc:
        return render_template("errors/error.html", message=exc.message, code=404), 404
    return render_template("storefront/products.html", listing=listing, q=q)


def _product_page(slug: str, wanted: str) -> dict | None:
    """A product page's body and head data; None when there is no such active product."""
    try:
        product = catalog.get_product(slug)
    except NotFound:
        return None
    variants = catalog.buyable_variants(product)
    selected = selected_variant(variants, wanted)
    body = render_template("storefront/_product_body.html", product=product, variants=variants,
                           selected_variant=selected, csrf_slot=fragments.csrf_slot)
    picker = picker_data(product, variants, selected) if len(variants) > 1 else None
    return {
        "body": body, "name": product.name,
        "summary": summary(product.description),
        "og_image": (absolute_url("storefront.upload", filename=product.images[0].path)
                     if product.images else None),
        "structured_data": _tojson(product_structured_data(product)),
        "many_variants": len(variants) > 1,
        "picker": _tojson(picker) if picker is not None else None,
    }


@bp.get("/products/<slug>")
def product_detail(slug):
    """A product with its variants, price, stock status and images."""
    wanted = (request.args.get("variant") or "").strip()
    wanted = wanted if wanted.isdigit() and len(wanted) < 19 else ""
    page = fragments.cached("product", (slug[:300], wanted),
                            lambda: _product_page(slug, wanted) or False)
    if not page:
        abort(404)
    return render_template("storefront/product.html", page={
        **page, "body": fragments.with_csrf(page["body"])})


@bp.post("/locale")
def set_locale():
    """Switch the storefront language (remembered in the session and the account)."""
    target = request.form.get("next") or url_for("storefront.home")
    if safe_next(target) is None:
        return render_template("errors/error.html", code=400,
                               message=_("That link does not lead to a page of this shop.")), 400
    locale = request.form.get("locale", "")
    if locale in current_app.config["STORE_LOCALES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(target)


@bp.get("/uploads/<path:filename>")
def upload(filename):
    """Product images from the upload folder."""
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename,
                               max_age=7 * 24 * 3600)
