"""Back office discounts: the codes, their limits and how often they were used.

Staff who see orders see the codes; owners (settings-manage) create and change them. Every
save goes through store.pricing.discounts.check_code. `uses` is counted by checkout only.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.validators import NumberRange, Optional

from store.accounts.masking import pii_email
from store.admin.base import StoreModelView
from store.extensions import db
from store.models import DiscountCode
from store.models.discounts import DISCOUNT_KINDS
from store.pricing import discounts
from store.pricing.taxes import format_rate

KIND_LABELS = {"percent": "Percent off", "fixed": "Fixed amount off",
               "free_shipping": "Free shipping"}
RECENT_ORDERS = 20


def _value(_view, _context, model, _name):
    if model.kind == "percent":
        return f"{format_rate(model.value)} %"
    if model.kind == "fixed":
        return f"{model.value:.2f}"
    return "—"


def _uses(_view, _context, model, _name):
    return f"{model.uses} / {model.max_uses}" if model.max_uses is not None else str(model.uses)


def _orders(_view, _context, model, _name):
    """The latest orders that used the code, linked to their pages (emails masked for
    staff without customers-pii)."""
    recent = list(model.use_records)[-RECENT_ORDERS:]
    if not recent:
        return "None yet"
    links = [Markup('<a href="{}">{}</a> ({})').format(
        url_for("order.details_view", id=use.order_id),
        use.order.number if use.order else use.order_id, escape(pii_email(use.email)))
        for use in reversed(recent)]
    return Markup(", ").join(links)


class DiscountCodeAdmin(StoreModelView):
    """Discount codes: percent, fixed amount or free shipping, with their limits and uses."""

    permission = "orders-read"
    write_permission = "settings-manage"
    can_view_details = True
    column_list = ("code", "kind", "value", "min_subtotal", "starts_at", "ends_at", "uses",
                   "max_uses_per_customer", "active")
    column_details_list = ("code", "description", "kind", "value", "min_subtotal",
                           "starts_at", "ends_at", "uses", "max_uses_per_customer",
                           "categories", "products", "active", "created_at", "orders")
    column_default_sort = ("id", True)
    column_searchable_list = ("code",)
    column_filters = ("kind", "active")
    column_labels = {"min_subtotal": "Minimum subtotal", "starts_at": "Starts (UTC)",
                     "ends_at": "Ends (UTC)", "uses": "Uses",
                     "max_uses_per_customer": "Per customer", "orders": "Orders"}
    column_formatters = {"value": _value, "uses": _uses, "orders": _orders,
                         "kind": lambda v, c, m, n: KIND_LABELS.get(m.kind, m.kind)}
    column_formatters_detail = {"value": _value, "uses": _uses, "orders": _orders,
                                "kind": lambda v, c, m, n: KIND_LABELS.get(m.kind, m.kind)}
    form_columns = ("code", "description", "kind", "value", "min_subtotal", "starts_at",
                    "ends_at", "max_uses", "max_uses_per_customer", "categories", "products",
                    "active")
    form_overrides = {"kind": SelectField}
    form_args = {
        "code": {"description": "What customers type, e.g. SUMMER25 (stored upper-case)."},
        "kind": {"choices": [(kind, KIND_LABELS[kind]) for kind in DISCOUNT_KINDS]},
        "value": {"description": "Percent (0-100) or an amount; ignored for free shipping.",
                  "validators": [Optional(), NumberRange(min=0)]},
        "min_subtotal": {"label": "Minimum subtotal",
                         "validators": [Optional(), NumberRange(min=0)]},
        "starts_at": {"label": "Starts (UTC)", "description": "Empty: from now"},
        "ends_at": {"label": "Ends (UTC)", "description": "Empty: never"},
        "max_uses": {"label": "Uses in total", "description": "Empty: no limit",
                     "validators": [Optional(), NumberRange(min=1)]},
        "max_uses_per_customer": {"label": "Uses per customer", "description": "Empty: no limit",
                                  "validators": [Optional(), NumberRange(min=1)]},
        "categories": {"description": "With no categories or products: every product."},
    }

    def on_model_change(self, form, model, is_created):
        discounts.check_code(model)


def register_discount_views(admin) -> None:
    """Add the discount code view."""
    admin.add_view(DiscountCodeAdmin(DiscountCode, db, name="Discount codes", category=None,
                                     endpoint="discount_code"))
