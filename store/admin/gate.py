"""The back office gate: every admin view checks a Flask-Security permission."""

from flask import abort, redirect, request, url_for
from flask_login import current_user


def has_permission(permission: str) -> bool:
    """True if the signed-in user holds the permission through a role."""
    return bool(current_user and current_user.is_authenticated
                and current_user.active and current_user.has_permission(permission))


class PermissionGate:
    """Mixin for admin views: who may open the view, and what happens to the others.

    `permission` opens the view; a visitor is sent to sign in, a signed-in user without the
    permission gets 403. Staff and owners must have two-factor set up when the shop
    requires it.
    """

    permission = "admin-access"

    def is_accessible(self) -> bool:
        return has_permission("admin-access") and has_permission(self.permission)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path))
        abort(403)

    def _handle_view(self, name, **kwargs):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if needs_two_factor_setup():
            return redirect(url_for("security.two_factor_setup"))
        return None


def needs_two_factor_setup() -> bool:
    """True when the shop requires two-factor for back-office users and this one lacks it."""
    from flask import current_app

    if not current_app.config.get("STORE_REQUIRE_2FA_FOR_STAFF"):
        return False
    return not getattr(current_user, "tf_primary_method", None)
