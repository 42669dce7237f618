"""The customer's account: signing out of every browser at once."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_security import auth_required

from store.accounts import sessions
from store.storefront.blueprint import bp


@bp.post("/account/sign-out-everywhere")
@auth_required()
def sign_out_everywhere():
    """End every session of the signed-in customer, on every device, this one included."""
    sessions.sign_out_everywhere(current_user._get_current_object())
    flash(_("You have been signed out on every device."), "success")
    return redirect(url_for("storefront.home"), 303)
