"""Back office pricing: the VAT rates per country and tax class (owners: settings-manage)."""

from __future__ import annotations

from wtforms.validators import NumberRange

from store.admin.base import StoreModelView
from store.extensions import db
from store.models import TaxRate
from store.pricing import taxes

RATE_MESSAGE = "A tax rate is a percentage from 0 to 100."


class TaxRateAdmin(StoreModelView):
    """VAT rates: one per country and tax class; a class a country lacks uses its standard
    rate, and a country without rates is not taxed."""

    permission = "settings-manage"
    column_list = ("country", "tax_class", "rate")
    column_default_sort = [("country", False), ("tax_class", False)]
    column_searchable_list = ("country",)
    column_filters = ("country", "tax_class")
    column_labels = {"tax_class": "Tax class", "rate": "Rate (%)"}
    column_formatters = {"rate": lambda v, c, m, n: taxes.format_rate(m.rate)}
    form_columns = ("country", "tax_class", "rate")
    form_choices = {"tax_class": [(c, taxes.CLASS_LABELS[c]) for c in taxes.TAX_CLASSES]}
    form_args = {
        "country": {"description": "Two-letter ISO code, e.g. ES, DE."},
        "rate": {"validators": [NumberRange(min=0, max=100, message=RATE_MESSAGE)],
                 "description": "Percent, e.g. 21 or 5.5."},
    }

    def on_model_change(self, form, model, is_created):
        model.country = (model.country or "").strip().upper()
        taxes.check_rate(model.country, model.tax_class, model.rate)


def register_pricing_views(admin) -> None:
    """Add the tax rate view."""
    admin.add_view(TaxRateAdmin(TaxRate, db, name="Tax rates", category="Settings",
                                endpoint="tax_rate"))
