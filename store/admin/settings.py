"""Back office store settings: owners edit the shop's details and trading rules."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from store.admin.gate import PermissionGate
from store.errors import ValidationFailed
from store.settings.services import (
    EDITABLE,
    LABELS,
    as_dict,
    countries,
    get_settings,
    update_settings,
)

# Whole numbers are checked by the service (one set of rules); the browser only helps.
WHOLE_NUMBER = {"type": "number", "min": 1, "step": 1}


class SettingsForm(FlaskForm):
    """Every editable setting; the service checks the values (one set of rules)."""

    shop_name = StringField(LABELS["shop_name"])
    legal_name = StringField(LABELS["legal_name"],
                             description="Printed on invoices, e.g. SimpleStore S.L.")
    address = TextAreaField(LABELS["address"], render_kw={"rows": 4})
    tax_number = StringField(LABELS["tax_number"])
    contact_email = StringField(LABELS["contact_email"])
    bank_details = TextAreaField(LABELS["bank_details"], render_kw={"rows": 3},
                                 description="Shown to customers who pay by bank transfer.")
    prices_include_tax = BooleanField(LABELS["prices_include_tax"],
                                      description="Catalog prices are entered with VAT.")
    default_country = SelectField(LABELS["default_country"], validate_choice=False)
    manual_hold_hours = StringField(
        LABELS["manual_hold_hours"], render_kw=WHOLE_NUMBER,
        description="How long an unpaid bank-transfer order holds its stock.")
    low_stock_threshold = StringField(LABELS["low_stock_threshold"], render_kw=WHOLE_NUMBER)


def _country_choices() -> list[tuple[str, str]]:
    return sorted(countries().items(), key=lambda item: item[1])


class SettingsView(PermissionGate, BaseView):
    """The store settings page: one form, saved for every worker at once."""

    permission = "settings-manage"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        """Show the settings; a valid post saves them, audited, and takes effect at once."""
        settings = get_settings()
        form = SettingsForm() if request.method == "POST" else SettingsForm(
            data=as_dict(settings))
        form.default_country.choices = _country_choices()
        if form.validate_on_submit():
            try:
                update_settings({name: getattr(form, name).data for name in EDITABLE},
                                actor=current_user)
            except ValidationFailed as exc:
                for name, message in exc.details.get("errors", {}).items():
                    getattr(form, name).errors.append(message)
                flash(exc.message, "error")
            else:
                flash("Settings saved. Every page and email uses them from now on.", "success")
                return redirect(url_for(".index"))
        elif request.method == "POST":
            flash("Please correct the marked fields.", "error")
        return self.render("admin/settings.html", form=form, settings=settings)


def register_settings_views(admin) -> None:
    """Add the store settings page (owners only: settings-manage)."""
    admin.add_view(SettingsView(name="Settings", endpoint="settings", url="/admin/settings"))
