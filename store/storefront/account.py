"""The customer's account page: profile, address book, recent orders, data export, deletion,
and signing out of every browser at once."""

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_security import auth_required
from sqlalchemy import select

from store.accounts import addresses as address_book
from store.accounts import profile, sessions
from store.accounts.customers import export_customer
from store.errors import ValidationFailed
from store.extensions import db, limiter
from store.models import Order
from store.models.base import utcnow
from store.orders.status import status_label
from store.pricing.shipping import country_name
from store.storefront.account_forms import DeleteAccountForm, ProfileForm
from store.storefront.blueprint import bp
from store.storefront.forms import ActionForm

RECENT_ORDERS = 5


def account_data_limit() -> str:
    """How often one account may download its data or ask for its deletion."""
    return current_app.config["STORE_ACCOUNT_DATA_LIMIT"]


def account_address_limit() -> str:
    """How often one client address may, whatever account it signs in as."""
    return current_app.config["STORE_ACCOUNT_DATA_LIMIT_PER_ADDRESS"]


def client_address() -> str:
    """The rate-limit key of the client's address (not its account)."""
    return f"account-addr:{request.remote_addr}"


def me():
    """The signed-in user (the object, not the proxy)."""
    return current_user._get_current_object()


def render_account(status: int = 200, *, profile_form=None, delete_form=None):
    """The account page, with the forms given (holding their errors) or fresh ones."""
    user = me()
    orders = list(db.session.scalars(
        select(Order).where(Order.user_id == user.id)
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(RECENT_ORDERS)))
    return render_template(
        "storefront/account.html", user=user,
        profile_form=profile_form or ProfileForm(full_name=user.full_name or ""),
        delete_form=delete_form or DeleteAccountForm(), action_form=ActionForm(),
        addresses=address_book.addresses_of(user.id), orders=orders,
        status_label=status_label, country_name=country_name), status


@bp.get("/account")
@auth_required()
def account():
    """The signed-in customer's own page."""
    return render_account()


@bp.post("/account/profile")
@auth_required()
def account_profile():
    """Change the customer's full name."""
    form = ProfileForm()
    if not form.validate():
        return render_account(400, profile_form=form)
    try:
        profile.update_profile(me(), form.full_name.data)
    except ValidationFailed as exc:
        form.full_name.errors = [exc.message]
        return render_account(400, profile_form=form)
    flash(_("Your details are saved."), "success")
    return redirect(url_for("storefront.account"), 303)


@bp.post("/account/export")
@auth_required()
@limiter.limit(account_data_limit)
@limiter.limit(account_address_limit, key_func=client_address)
def account_export():
    """Download everything the shop holds about the customer, as a JSON file."""
    data = export_customer(current_user.id, actor=me())
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = current_app.response_class(body, mimetype="application/json")
    filename = f"my-data-{utcnow():%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/sign-out-everywhere")
@auth_required()
def sign_out_everywhere():
    """End every session of the signed-in customer, on every device, this one included."""
    sessions.sign_out_everywhere(me())
    flash(_("You have been signed out on every device."), "success")
    return redirect(url_for("storefront.home"), 303)
