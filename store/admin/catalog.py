"""Back office catalog: products (with variants and images inline) and categories."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, g, redirect, request, stream_with_context
from flask_admin import expose
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.model.form import InlineFormAdmin
from flask_login import current_user
from werkzeug.utils import secure_filename
from wtforms import FileField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional, Regexp

from store.admin.base import StoreModelView
from store.catalog import images, products
from store.catalog.product_csv import format_options, iter_csv, parse_options
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.inventory import services as inventory
from store.models import Category, Product, ProductImage, Variant
from store.pricing import taxes

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
              message="Lowercase letters, digits and single hyphens only.")


class OptionsField(StringField):
    """Variant options typed as `size=M; colour=Navy` (or a JSON object)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_options(self.data) if isinstance(self.data, dict) else ""

    def process_formdata(self, valuelist) -> None:
        self.data = {}
        if valuelist:
            try:
                self.data = parse_options(valuelist[0])
            except ValidationFailed as exc:
                raise ValueError(exc.message) from None


class VariantInline(InlineFormAdmin):
    """Variant rows in the product form; stock is not a field (see Inventory)."""

    form_columns = ("id", "sku", "options", "price_override", "compare_at_price", "weight",
                    "low_stock_threshold", "active", "position", "initial_stock")
    form_overrides = {"options": OptionsField}
    form_args = {
        "sku": {"label": "SKU", "validators": [Regexp(r"^\S{1,64}$",
                                                      message="Up to 64 characters, no spaces.")]},
        "options": {"description": "e.g. size=M; colour=Navy (empty for a single variant)"},
        "price_override": {"label": "Price override",
                           "description": "Empty: the product's price",
                           "validators": [Optional(), NumberRange(min=0)]},
        "compare_at_price": {"label": "Compare-at price",
                             "description": "The sale's \"was\" price, shown struck through "
                                            "when above the price. Empty: not on sale",
                             "validators": [Optional(), NumberRange(min=0)]},
        "weight": {"label": "Weight (kg)", "validators": [Optional(), NumberRange(min=0)]},
        "low_stock_threshold": {"label": "Low-stock threshold", "default": None,
                                "description": "Empty: the shop's default (Settings)",
                                "validators": [Optional(), NumberRange(min=0)]},
    }
    form_extra_fields = {
        "initial_stock": IntegerField(
            "Initial stock", validators=[Optional(), NumberRange(min=0, max=10_000_000)],
            description="Only for a new variant; change stock later with Adjust stock."),
    }

    def on_model_change(self, form, model, is_created):
        if model.weight is None:
            model.weight = Decimal("0")
        if is_created:
            model.stock = 0
            amount = form.initial_stock.data or 0
            if amount:
                g.setdefault("initial_stock", []).append((model, amount))


class ImageInline(InlineFormAdmin):
    """Image rows in the product form: upload a file, replace it, or delete the row."""

    form_columns = ("id", "upload", "alt", "position")
    form_args = {"alt": {"label": "Alt text", "description": "What the picture shows"}}
    form_extra_fields = {"upload": FileField("Image file (PNG, JPEG, WebP or GIF)")}

    def on_model_change(self, form, model, is_created):
        upload = form.upload.data
        has_file = upload is not None and getattr(upload, "filename", "")
        if not has_file:
            if is_created:
                raise ValidationFailed("Choose a file for each new image.")
            return
        product = model.product
        slug = (product.slug if product is not None and product.slug else
                secure_filename((product.name if product is not None else "") or "product"))
        try:
            saved = images.save_product_image(upload.stream, slug.lower() or "product")
        except ValidationFailed as exc:
            form.upload.errors = [*form.upload.errors, exc.message]  # shown beside the field
            raise
        files = g.setdefault("image_files", {"new": [], "old": []})
        files["new"].append(saved.path)
        if model.path:
            files["old"].append(model.path)
        model.path, model.width, model.height = saved


class ProductAdmin(StoreModelView):
    """Products with their variants and images; descriptions are sanitized on save."""

    permission = "catalog-write"
    view_permissions = {"move_image_view": "catalog-write"}
    can_export = True
    can_view_details = False
    # The edit page shows the images as thumbnails with buttons to reorder them.
    edit_template = "admin/product/edit.html"

    column_list = ("name", "category", "price", "active", "featured", "created_at")
    column_default_sort = ("id", True)
    column_searchable_list = ("name", "slug")
    column_filters = ("active", "featured", "category.name", "price", "created_at")
    column_labels = {"category.name": "Category", "created_at": "Added"}
    column_formatters = {"price": lambda v, c, m, n: f"{m.price:.2f}"}

    form_columns = ("name", "slug", "category", "price", "tax_class", "description", "active",
                    "featured", "variants", "images")
    form_choices = {"tax_class": [(c, taxes.CLASS_LABELS[c]) for c in taxes.TAX_CLASSES]}
    form_args = {
        "slug": {"validators": [Optional(), SLUG],
                 "description": "Part of the product's address; empty: made from the name."},
        "price": {"validators": [NumberRange(min=0)],
                  "description": "With or without VAT, as the shop's prices are entered."},
        "tax_class": {"label": "Tax class", "description": "Which VAT rate applies."},
        "description": {"description": "Markdown or simple HTML; scripts and styles are "
                                       "removed."},
    }
    form_widget_args = {"description": {"rows": 8}}
    form_ajax_refs = {
        "category": QueryAjaxModelLoader("category", db, Category, fields=["name", "slug"],
                                         page_size=10),
    }
    inline_models = (VariantInline(Variant), ImageInline(ProductImage))

    def on_model_change(self, form, model, is_created):
        removed = [obj for obj in db.session.deleted if isinstance(obj, Variant)]
        products.prepare_product(model, removed_variants=removed)
        for obj in db.session.deleted:
            if isinstance(obj, ProductImage):
                g.setdefault("image_files", {"new": [], "old": []})["old"].append(obj.path)
        pending = g.pop("initial_stock", [])
        if pending:
            db.session.flush()  # the new variants need ids for their stock movements
            for variant, amount in pending:
                inventory.set_initial_stock(variant, amount, user_id=current_user.id)

    def create_model(self, form):
        with db.session.no_autoflush:
            return self._with_files(super().create_model(form))

    def update_model(self, form, model):
        # No autoflush while the form is applied: rows marked for deletion must still be in
        # session.deleted (and in the database) when on_model_change checks them.
        with db.session.no_autoflush:
            return self._with_files(super().update_model(form, model))

    def _with_files(self, result):
        """After the commit, drop replaced image files; after a failure, the new ones."""
        files = g.pop("image_files", {"new": [], "old": []})
        for path in files["old"] if result else files["new"]:
            images.delete_product_image(path)
        g.pop("initial_stock", None)
        return result

    def on_model_delete(self, model):
        products.check_product_deletable(model)
        g.deleted_image_paths = [image.path for image in model.images]

    def after_model_delete(self, model):
        for path in g.pop("deleted_image_paths", []):
            images.delete_product_image(path)

    @expose("/images/move/", methods=("POST",))
    def move_image_view(self):
        """Move a product image up or down (a button beside its thumbnail, no script)."""
        try:
            image = images.move_product_image(request.form.get("image_id", type=int) or 0,
                                              request.form.get("direction", ""),
                                              actor=current_user)
        except NotFound as exc:
            abort(404, exc.message)
        except ValidationFailed as exc:
            abort(400, exc.message)
        flash("Image order saved.", "success")
        return redirect(self.get_url(".edit_view", id=image.product_id))

    def _export_csv(self, return_url):
        """The export is the import format (one row per variant) of the listed products."""
        _count, data = self._export_data()
        ids = [product.id for product in data]
        return Response(stream_with_context(iter_csv(ids)), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment;filename=products.csv"})


class CategoryAdmin(StoreModelView):
    """The shelves of the shop."""

    permission = "catalog-write"
    column_list = ("name", "slug", "position")
    column_default_sort = [("position", False), ("name", False)]
    column_searchable_list = ("name", "slug")
    form_columns = ("name", "slug", "description", "position")
    form_args = {"slug": {"validators": [Optional(), SLUG],
                          "description": "Empty: made from the name."}}

    def on_model_change(self, form, model, is_created):
        products.prepare_category(model)


def register_catalog_views(admin) -> None:
    """Add the product and category views."""
    admin.add_view(ProductAdmin(Product, db, name="Products", category="Catalog",
                                endpoint="product"))
    admin.add_view(CategoryAdmin(Category, db, name="Categories", category="Catalog",
                                 endpoint="category"))

