"""Back office inventory: stock per variant, the adjust-stock form and the stock ledger."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterEqual, FilterLike
from flask_admin.helpers import get_redirect_target
from flask_admin.model.template import EndpointLinkRowAction
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from store.admin.base import StoreModelView
from store.catalog.product_csv import format_options
from store.errors import StoreError
from store.extensions import db
from store.inventory import levels
from store.inventory import services as inventory
from store.models import StockMovement, Variant

STATUS_BADGES = {levels.IN_STOCK: "success", levels.LOW: "warning", levels.OUT: "danger"}


class StockStatusFilter(BaseSQLAFilter):
    """In stock / low / out, as store.inventory.levels defines them."""

    def __init__(self):
        super().__init__(Variant.stock, "Status", options=list(levels.STATUS_LABELS.items()))

    def apply(self, query, value, alias=None):
        if value in levels.STATUS_LABELS:
            return query.filter(levels.has_status(value))
        return query

    def operation(self):
        return "is"


def _status(view, context, model, name):
    status = model.stock_status
    return Markup('<span class="badge badge-{}">{}</span>').format(
        STATUS_BADGES[status], levels.status_label(status))


class VariantAdmin(StoreModelView):
    """Inventory: every variant with stock on hand, threshold and status."""

    permission = "inventory-manage"
    view_permissions = {"adjust_view": "inventory-manage"}
    can_create = False
    can_edit = False
    can_delete = False
    can_export = True
    audit = False  # adjust_stock logs its own changes; the stock ledger holds the rest

    column_list = ("product", "sku", "options", "stock", "low_stock_threshold", "status",
                   "active")
    column_labels = {"sku": "SKU", "low_stock_threshold": "Low at", "product.name": "Product"}
    column_sortable_list = ("sku", "stock", "low_stock_threshold", ("product", "product.name"))
    column_default_sort = ("id", False)
    column_searchable_list = ("sku", "product.name")
    column_filters = (StockStatusFilter(), FilterLike("product.name", "Product"),
                      FilterLike(Variant.sku, "SKU"), "active")
    column_formatters = {
        "product": lambda v, c, m, n: m.product.name,
        "options": lambda v, c, m, n: format_options(m.options),
        "status": _status,
    }
    column_formatters_export = {
        "product": lambda v, c, m, n: m.product.name,
        "options": lambda v, c, m, n: format_options(m.options),
        "status": lambda v, c, m, n: levels.status_label(m.stock_status),
    }
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-balance-scale", ".adjust_view", title="Adjust stock"),
    ]

    def get_query(self):
        return super().get_query().options(joinedload(Variant.product))

    @expose("/adjust/", methods=("GET", "POST"))
    def adjust_view(self):
        """Adjust one variant's stock by a change or to a new count, with a reason."""
        variant = db.session.get(Variant, request.args.get("id", type=int) or 0)
        return_url = get_redirect_target() or self.get_url(".index_view")
        if variant is None:
            flash("That variant does not exist.", "error")
            return redirect(return_url)
        form = AdjustStockForm()
        if form.validate_on_submit():
            by_delta = form.mode.data == "delta"
            try:
                movement = inventory.adjust_stock(
                    variant.id, reason=form.reason.data, note=form.note.data.strip(),
                    delta=form.amount.data if by_delta else None,
                    new_count=None if by_delta else form.amount.data,
                    actor=current_user)
            except StoreError as exc:
                flash(exc.message, "error")
            else:
                flash(f"Stock of {variant.sku} is now {movement.stock_after} "
                      f"({movement.delta:+d}, {movement.reason}).", "success")
                return redirect(return_url)
        recent = db.session.scalars(
            db.select(StockMovement).where(StockMovement.variant_id == variant.id)
            .options(joinedload(StockMovement.user))
            .order_by(StockMovement.id.desc()).limit(10)).all()
        return self.render("admin/variant/adjust.html", variant=variant, form=form,
                           recent=recent, return_url=return_url,
                           options=format_options(variant.options))


class AdjustStockForm(FlaskForm):
    """Change stock by an amount or set the count on hand; a reason is required."""

    mode = RadioField("Adjust by", choices=[("delta", "Change by (+/-)"),
                                            ("count", "Set the count on hand to")],
                      default="delta", validators=[InputRequired()])
    amount = IntegerField("Amount", validators=[
        InputRequired(), NumberRange(min=-1_000_000, max=1_000_000)])
    reason = SelectField("Reason", choices=[(r, r.title()) for r in inventory.MANUAL_REASONS],
                         validators=[InputRequired()])
    note = StringField("Note", validators=[Length(max=255)],
                       description="e.g. the delivery note number or what was damaged")


class StockMovementAdmin(StoreModelView):
    """The stock ledger: every change of stock, read-only."""

    permission = "inventory-manage"
    can_create = False
    can_edit = False
    can_delete = False
    audit = False
    action_disallowed_list = ["delete"]

    column_list = ("created_at", "variant", "delta", "stock_after", "reason", "note", "order",
                   "user")
    column_labels = {"created_at": "When", "variant": "SKU", "stock_after": "Stock after",
                     "user": "By"}
    column_default_sort = ("id", True)
    column_sortable_list = ("created_at", "delta", "reason")
    column_filters = (
        FilterLike("variant.sku", "SKU"),
        FilterEqual(StockMovement.reason, "Reason",
                    options=[(r, r) for r in StockMovement.REASONS]),
        FilterLike("user.email", "User"),
        "created_at",
        FilterLike("order.number", "Order"),
    )
    column_formatters = {
        "variant": lambda v, c, m, n: m.variant.sku if m.variant else "",
        "order": lambda v, c, m, n: m.order.number if m.order else "",
        "user": lambda v, c, m, n: m.user.email if m.user else "",
        "delta": lambda v, c, m, n: f"{m.delta:+d}",
    }


def register_inventory_views(admin) -> None:
    """Add the inventory list and the stock ledger."""
    admin.add_view(VariantAdmin(Variant, db, name="Stock", category="Inventory",
                                endpoint="variant"))
    admin.add_view(StockMovementAdmin(StockMovement, db, name="Stock movements",
                                      category="Inventory", endpoint="stockmovement"))
