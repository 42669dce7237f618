"""Storefront forms (Flask-WTF: every one carries a csrf_token)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from store.errors import ValidationFailed
from store.i18n import country_name, money
from store.payments import enabled_providers
from store.pricing import shipping

REQUIRED = _l("Please fill in this field.")


def fills(token: str) -> dict:
    """The autocomplete attribute that lets browsers fill a field (name, email, tel, ...)."""
    return {"autocomplete": token}
ZERO = Decimal("0")


class CartAddForm(FlaskForm):
    """Add a variant to the cart (quantity parsed and checked by the cart service)."""

    variant_id = StringField()
    quantity = StringField(default="1")


class CartUpdateForm(FlaskForm):
    """Change a cart line's quantity (0 removes it)."""

    quantity = StringField()


class CartDiscountForm(FlaskForm):
    """Enter a discount code in the cart (empty, or the remove button, forgets it)."""

    discount_code = StringField(_l("Discount code"), validators=[Optional(), Length(max=40)])
    remove = HiddenField()


class ActionForm(FlaskForm):
    """A button that only needs CSRF (cancel an order, pay again); `token` for guests."""

    token = HiddenField()


def country_choices() -> list[tuple[str, str]]:
    """The countries the shop ships to, named in the visitor's language, sorted by name."""
    names = get_locale().territories
    choices = sorted(((code, names.get(code, code)) for code in shipping.allowed_countries()),
                     key=lambda c: c[1])
    return [("", str(_l("Choose a country")))] + choices


class CheckoutForm(FlaskForm):
    """Contact, shipping address, shipping and payment method."""

    email = EmailField(_l("Email"), validators=[
        DataRequired(REQUIRED), Email(_l("Please enter a valid email address.")),
        Length(max=255)],
        render_kw=fills("email"))
    address_id = SelectField(_l("Ship to"), coerce=int, default=0, validate_choice=False)
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED),
                                                          Length(max=120)],
        render_kw=fills("name"))
    address_line1 = StringField(_l("Address"), validators=[DataRequired(REQUIRED),
                                                           Length(max=200)],
        render_kw=fills("address-line1"))
    address_line2 = StringField(_l("Address line 2 (optional)"), validators=[
        Optional(), Length(max=200)],
        render_kw=fills("address-line2"))
    city = StringField(_l("City"), validators=[DataRequired(REQUIRED), Length(max=100)],
        render_kw=fills("address-level2"))
    postal_code = StringField(_l("Postal code"), validators=[
        DataRequired(REQUIRED), Length(max=20),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$", message=_l("Please enter a valid postal code."))],
        render_kw=fills("postal-code"))
    country = SelectField(_l("Country"), validate_choice=False,
                          validators=[DataRequired(_l("Please choose a country."))],
        render_kw=fills("country"))
    phone = TelField(_l("Phone (optional, for the courier)"), validators=[
        Optional(), Length(max=40),
        Regexp(r"^\+?[0-9 ()\-./]{6,40}$", message=_l("Please enter a valid phone number."))],
        render_kw=fills("tel"))
    save_address = BooleanField(_l("Save this address for next time"))
    shipping_method = RadioField(_l("Delivery"), default="standard", validate_choice=False,
                                 validators=[
        DataRequired(_l("Please choose a shipping method."))])
    payment_method = RadioField(_l("Payment"), default="manual", validators=[
        DataRequired(_l("Please choose a payment method."))])
    discount_code = StringField(_l("Discount code (optional)"), validators=[
        Optional(), Length(max=40)],
        render_kw=fills("off"))
    checkout_token = HiddenField()

    def set_choices(self, subtotal, addresses=(), *, country=None, weight=ZERO) -> None:
        """Fill the choices that depend on the shop, the cart and the customer.

        The delivery choices are those of `country`'s zone, or of the shop's default country
        while none (or one the shop does not ship to) is chosen.
        """
        self.country.choices = country_choices()
        self.set_methods(subtotal, country, weight)
        self.payment_method.choices = [(p.code, str(p.label)) for p in enabled_providers()]
        self.address_id.choices = [(0, str(_l("A new address (fill in below)")))] + [
            (address.id, address.one_line(country_name(address.country)))
            for address in addresses]

    def set_methods(self, subtotal, country=None, weight=ZERO) -> None:
        """The delivery choices for a cart shipped to `country` (see set_choices)."""
        try:
            offered = shipping.options(subtotal, country=country or None, weight=weight)
        except ValidationFailed:
            country = None
            offered = shipping.options(subtotal, weight=weight)
        self._pricing = (subtotal, country or None, weight)
        self.shipping_method.choices = [
            (option.code, f"{option.label} · "
                          f"{money(option.cost) if option.cost else _l('Free')}")
            for option in offered]

    @property
    def methods_country(self) -> str:
        """The name of the country the delivery choices are priced for."""
        return shipping.country_name(self._pricing[1] or shipping.default_country())

    def validate_country(self, field) -> None:
        """Only a country inside a shipping zone."""
        if str(field.data).upper() not in shipping.known_countries():
            raise ValidationError(field.gettext("Not a valid choice."))
        try:
            shipping.zone_for(field.data)
        except ValidationFailed as exc:
            raise ValidationError(exc.message) from None

    def validate_shipping_method(self, field) -> None:
        """Only a method the chosen country's zone offers, saying why another is refused."""
        if field.data in {code for code, _label in self.shipping_method.choices}:
            return
        if field.data not in shipping.METHODS:
            raise ValidationError(field.gettext("Not a valid choice."))
        subtotal, country, weight = self._pricing
        try:
            shipping.shipping_cost(field.data, subtotal, country=country, weight=weight)
        except ValidationFailed as exc:
            raise ValidationError(exc.message) from None
        raise ValidationError(_l("Please choose a shipping method."))

    def use_address(self, address) -> None:
        """Take the address fields from a saved address (before validation)."""
        for name in ("full_name", "address_line1", "address_line2", "city", "postal_code",
                     "country", "phone"):
            field, value = getattr(self, name), getattr(address, name)
            # raw_data too: Optional() reads it, so an empty saved phone is not checked
            # against whatever the (ignored) phone box held.
            field.data, field.raw_data = value, [value]
        self.save_address.data = False
