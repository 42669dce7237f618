"""Back-office shipping: zones (their countries) and methods (their prices and bands).

Every save goes through store.pricing.shipping's checks: a country in two zones, a second
"rest of the world", negative prices or bands that do not increase are refused.
"""

from __future__ import annotations

import re

from flask_admin.model.form import InlineFormAdmin
from wtforms import SelectField, StringField
from wtforms.validators import NumberRange, Optional

from store.admin.base import StoreModelView
from store.extensions import db
from store.models import ShippingBand, ShippingMethod, ShippingZone
from store.models.shipping import PRICE_KINDS
from store.pricing import shipping

_SEPARATORS = re.compile(r"[\s,;]+")


class CountriesField(StringField):
    """ISO country codes typed as `ES, PT, FR` (stored as a list)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist) -> None:
        self.data = [code.upper() for code in _SEPARATORS.split(valuelist[0] if valuelist else "")
                     if code]


def _countries(_view, _context, model, _name):
    if model.rest_of_world:
        return "Every country not in another zone"
    codes = model.countries or []
    return ", ".join(codes) if len(codes) <= 8 else f"{', '.join(codes[:8])} … ({len(codes)})"


class ShippingZoneAdmin(StoreModelView):
    """Zones: a set of countries, or the one catch-all for the rest of the world."""

    permission = "settings-manage"
    can_view_details = False
    column_list = ("name", "countries", "rest_of_world", "position")
    column_default_sort = "position"
    column_formatters = {"countries": _countries}
    column_labels = {"rest_of_world": "Rest of the world"}
    form_columns = ("name", "countries", "rest_of_world", "position")
    form_overrides = {"countries": CountriesField}
    form_args = {
        "countries": {"description": "ISO codes separated by commas, e.g. ES, PT. A country "
                                     "belongs to one zone only."},
        "rest_of_world": {"description": "Ship here every country no other zone lists "
                                         "(one zone at most)."},
    }

    def on_model_change(self, form, model, is_created):
        shipping.check_zone(model)


class BandInline(InlineFormAdmin):
    """Price bands of a method: up to an order value (money) or a weight (kg)."""

    form_columns = ("id", "upper_bound", "price")
    form_args = {
        "upper_bound": {"label": "Up to (value or kg)",
                        "description": "Empty: and above (the last band only)",
                        "validators": [Optional(), NumberRange(min=0)]},
        "price": {"validators": [NumberRange(min=0)]},
    }


class ShippingMethodAdmin(StoreModelView):
    """Methods of each zone: flat price, value or weight bands, free above a subtotal."""

    permission = "settings-manage"
    can_view_details = False
    column_list = ("zone", "code", "name", "price_kind", "flat_price", "free_above", "active",
                   "position")
    column_default_sort = ("zone_id", False)
    column_filters = ("zone.name", "code", "active")
    column_labels = {"zone.name": "Zone", "price_kind": "Priced by"}
    form_columns = ("zone", "code", "name", "price_kind", "flat_price", "free_above", "active",
                    "position", "bands")
    form_overrides = {"price_kind": SelectField}
    form_args = {
        "code": {"description": "e.g. standard, express (the seeded codes have translated "
                                "names in the storefront)"},
        "price_kind": {"choices": [(kind, kind.replace("_", " ")) for kind in PRICE_KINDS]},
        "flat_price": {"validators": [NumberRange(min=0)]},
        "free_above": {"label": "Free from subtotal",
                       "description": "Empty: never free",
                       "validators": [Optional(), NumberRange(min=0)]},
    }
    inline_models = (BandInline(ShippingBand),)

    def on_model_change(self, form, model, is_created):
        kept = [band for band in model.bands if band not in db.session.deleted]
        shipping.check_method(model, kept)


def register_shipping_views(admin) -> None:
    """Add the shipping zone and method views."""
    admin.add_view(ShippingZoneAdmin(ShippingZone, db, name="Shipping zones",
                                     category="Settings", endpoint="shipping_zone"))
    admin.add_view(ShippingMethodAdmin(ShippingMethod, db, name="Shipping methods",
                                       category="Settings", endpoint="shipping_method"))
