"""The contact form: /support stores a ticket and acknowledges it by email."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from store.errors import ValidationFailed
from store.extensions import limiter
from store.i18n import money, shop_date
from store.storefront.blueprint import bp
from store.support import services as support


class SupportForm(FlaskForm):
    """Name, email, message and an optional order number."""

    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Please tell us your name.")), Length(max=120)])
    email = EmailField(_l("Your email"), validators=[
        DataRequired(_l("Please enter your email address.")),
        Email(_l("Please enter a valid email address.")), Length(max=255)])
    order_number = StringField(_l("Order number (optional)"), validators=[
        Optional(), Length(max=20, message=_l("That is not an order number."))])
    message = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Please write your message.")),
        Length(max=support.MAX_MESSAGE,
               message=_l("Please keep your message under %(max)d characters."))])


class AccountSupportForm(SupportForm):
    """The form for a signed-in customer: their orders are offered as a choice."""

    order_number = SelectField(_l("Which order is it about? (optional)"), choices=[],
                               validate_choice=True)


def _support_limit() -> str:
    return current_app.config.get("STORE_SUPPORT_LIMIT", "5/hour")


def _address_limit() -> str:
    # Generous: many honest customers can share one address; this only stops a flood from
    # a client that throws its session away between messages.
    return current_app.config.get("STORE_SUPPORT_LIMIT_PER_ADDRESS", "30/hour")


def _address_key() -> str:
    return f"addr:{request.remote_addr}"


def _sent(response) -> bool:
    """Only a stored message counts towards the limit, not a form with mistakes."""
    return response.status_code in (302, 303)


def _form():
    if not current_user.is_authenticated:
        return SupportForm()
    form = AccountSupportForm()
    form.order_number.choices = [("", _("Not about an order"))] + [
        (order.number, _("%(number)s · %(date)s · %(total)s", number=order.number,
                         date=shop_date(order.created_at),
                         total=money(order.total, order.currency)))
        for order in support.recent_orders(current_user)
    ]
    if request.method == "GET":
        form.name.data = form.name.data or current_user.full_name or ""
        form.email.data = form.email.data or current_user.email
        form.order_number.data = request.args.get("order", "")
    return form


@bp.route("/support", methods=["GET", "POST"], endpoint="support")
@limiter.limit(_support_limit, methods=["POST"], deduct_when=_sent)
@limiter.limit(_address_limit, key_func=_address_key, methods=["POST"], deduct_when=_sent)
def support_page():
    """GET: the contact form. POST: store the message, email a receipt, back to the form."""
    form = _form()
    if form.validate_on_submit():
        try:
            support.open_ticket(form.name.data, form.email.data, form.message.data,
                                form.order_number.data or None, current_user)
        except ValidationFailed as exc:
            field = getattr(form, exc.details.get("field") or "", None)
            if field is not None:
                field.errors = [*field.errors, exc.message]
            else:
                flash(exc.message, "error")
        else:
            # The same answer whether or not an order was linked: nothing is revealed.
            flash(_("Thank you! We received your message and will answer you by email."),
                  "success")
            return redirect(url_for("storefront.support"))
    return render_template("storefront/support.html", form=form), 200
