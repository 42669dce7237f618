"""Deleting one's own account: ask with the password, confirm from the emailed link, goodbye."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from flask_security import auth_required

from store.accounts import deletion
from store.errors import PermissionDenied, StoreError
from store.extensions import limiter
from store.storefront.account import (
    account_address_limit,
    account_data_limit,
    client_address,
    me,
    render_account,
)
from store.storefront.account_forms import DeleteAccountForm
from store.storefront.blueprint import bp
from store.storefront.cart import form_error
from store.storefront.forms import ActionForm


def _refused(exc: StoreError):
    code = 403 if isinstance(exc, PermissionDenied) else 400
    return render_template("errors/error.html", message=exc.message, code=code), code


@bp.post("/account/delete")
@auth_required()
@limiter.limit(account_data_limit)
@limiter.limit(account_address_limit, key_func=client_address)
def account_delete_request():
    """Check the password and email a link that confirms the deletion."""
    form = DeleteAccountForm()
    if not form.validate():
        return render_account(400, delete_form=form)
    try:
        deletion.request_deletion(me(), form.password.data)
    except PermissionDenied as exc:
        flash(exc.message, "error")
        return render_account(403)
    except StoreError as exc:
        form.password.errors = [exc.message]
        return render_account(400, delete_form=form)
    flash(_("We sent you an email. Open the link in it within %(hours)d hours to delete your "
            "account.", hours=deletion.DELETION_MAX_AGE // 3600), "success")
    return redirect(url_for("storefront.account", _anchor="delete"), 303)


@bp.get("/account/delete/<token>")
@auth_required()
def account_delete_confirm(token):
    """What deleting the account erases and keeps, with the button that does it."""
    try:
        deletion.user_for_token(token, me())
    except StoreError as exc:
        return _refused(exc)
    return render_template("storefront/account_delete.html", token=token, form=ActionForm())


@bp.post("/account/delete/<token>")
@auth_required()
def account_delete(token):
    """Erase the account for good, sign out everywhere, and say goodbye."""
    form = ActionForm()
    if not form.validate():
        flash(form_error(form), "error")
        return redirect(url_for("storefront.account_delete_confirm", token=token), 303)
    try:
        deletion.delete_account(token, me())
    except StoreError as exc:
        return _refused(exc)
    logout_user()
    return redirect(url_for("storefront.account_deleted"), 303)


@bp.get("/account/deleted")
def account_deleted():
    """Goodbye: the account is erased."""
    return render_template("storefront/account_deleted.html")
