"""Forms of the customer's account pages (Flask-WTF: every one carries a csrf_token).

The address fields are the checkout form's own, so an address saved here passes checkout's
rules, and its country choices are the countries the shop ships to, named in the reader's
language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from store.storefront.forms import CheckoutForm, country_choices, fills


class ProfileForm(FlaskForm):
    """The customer's full name."""

    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)],
        render_kw=fills("name"))


class AddressForm(FlaskForm):
    """One address of the address book."""

    full_name = CheckoutForm.full_name
    address_line1 = CheckoutForm.address_line1
    address_line2 = CheckoutForm.address_line2
    city = CheckoutForm.city
    postal_code = CheckoutForm.postal_code
    country = CheckoutForm.country
    phone = CheckoutForm.phone
    is_default = BooleanField(_l("Use this address by default at checkout"))
    validate_country = CheckoutForm.validate_country

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def values(self) -> dict:
        """The address fields, for store.accounts.addresses."""
        return {name: getattr(self, name).data for name in (
            "full_name", "address_line1", "address_line2", "city", "postal_code", "country",
            "phone")}


class DeleteAccountForm(FlaskForm):
    """Ask for the account to be deleted: the current password proves it is the owner."""

    password = PasswordField(_l("Your current password"), validators=[
        DataRequired(_l("Please enter your password."))],
        render_kw=fills("current-password"))
