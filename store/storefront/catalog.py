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

from store.catalog import services as catalog
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.storefront.blueprint import bp
from store.storefront.variant_data import picker_data, selected_variant
from store.web import safe_next

# Every template that shows a product's price asks catalog.price_range, never the variants.
bp.add_app_template_global(catalog.price_range)


@bp.get("/")
def home():
    """Home: featured products and the categories."""
    return render_template("storefront/home.html", featured=catalog.featured_products(),
                           categories=catalog.categories())


@bp.get("/products/")
def product_list():
    """The catalog: search, category filter, sort and pagination."""
    q = (request.args.get("q") or "").strip()[:200]
    category = request.args.get("category") or None
    sort = request.args.get("sort") or ("relevance" if q else "newest")
    try:
        page = catalog.parse_page(request.args.get("page"))
        results, current = catalog.list_products(category=category, sort=sort, page=page, q=q)
    except ValidationFailed as exc:
        return render_template("errors/error.html", message=exc.message, code=400), 400
    except NotFound as exc:
        return render_template("errors/error.html", message=exc.message, code=404), 404
    return render_template("storefront/products.html", results=results, current=current,
                           categories=catalog.categories(), q=q, sort=sort,
                           sorts=catalog.SORTS)


@bp.get("/products/<slug>")
def product_detail(slug):
    """A product with its variants, price, stock status and images."""
    try:
        product = catalog.get_product(slug)
    except NotFound:
        abort(404)
    variants = catalog.buyable_variants(product)
    selected = selected_variant(variants)
    return render_template("storefront/product.html", product=product, variants=variants,
                           selected_variant=selected,
                           picker=picker_data(product, variants, selected))


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
