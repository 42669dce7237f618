"""Who is calling the API: Flask-Security auth tokens in a header, or the shop's session cookie.

A request that carries the token header is authenticated by that token and nothing else (a
wrong token is a 401 even when a session cookie is present), and it is exempt from CSRF: a
browser never adds that header to a cross-site request on its own. A write authenticated by
the session cookie is a browser's, and needs the CSRF token (X-CSRFToken) as every form of the
shop does. A write with neither is anonymous: it has no ambient authority a forged request
could borrow (only POST /api/v1/auth/token accepts one, and its answer stays with the caller).
"""

from __future__ import annotations

from flask import abort, current_app, g, request
from flask_login import current_user
from flask_security.utils import get_request_attr

from store.accounts.security import find_user, normalize_account
from store.database import write_transaction
from store.extensions import csrf

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_USER = "store.api.user"


def token_header() -> str:
    """The header that carries an auth token (SECURITY_TOKEN_AUTHENTICATION_HEADER)."""
    return current_app.config["SECURITY_TOKEN_AUTHENTICATION_HEADER"]


def uses_token() -> bool:
    """Whether this request authenticates with the token header."""
    return bool(request.headers.get(token_header()))


def _session_user():
    """The user signed in by the session cookie, or None."""
    user = current_user
    if getattr(user, "is_authenticated", False) and get_request_attr("fs_authn_via") == "session":
        return user
    return None


def forget_caller(_exc=None) -> None:
    """Drop who signed in from `g` (before and after each API request).

    An app context can outlive one request (tests, CLI-driven clients), and Flask-Login and
    Flask-Security keep the signed-in user and how they signed in on `g`: a token's user must
    never carry over to the next request.
    """
    for name in ("_login_user", "fs_authn_via", "fs_paa"):
        g.pop(name, None)


def before_api_request() -> None:
    """Who calls is decided afresh, then writes signed in by the session cookie need CSRF."""
    forget_caller()
    if request.method in WRITE_METHODS and not uses_token() and _session_user() is not None:
        csrf.protect()  # raises CSRFError (400) without a valid token


def _token_user():
    user = current_app.login_manager.request_callback(request)
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    # Flask-Login may have loaded a session user first; the token decides.
    current_app.login_manager._update_request_context_with_user(user)
    return user


def caller(required: bool = True):
    """The authenticated user (by token, else by session cookie); 401 when required and none."""
    # Kept on the request, not on `g`: an app context may outlive one request (tests, CLI).
    if _USER not in request.environ:
        if uses_token():
            user = _token_user()
            if user is None:
                abort(401, "The auth token is missing, expired or not valid.")
        else:
            user = _session_user()
        request.environ[_USER] = user
    user = request.environ[_USER]
    if user is None and required:
        abort(401, f"Sign in: send an auth token in the {token_header()} header "
                   "(POST /api/v1/auth/token gives one).")
    return user


def require_permission(permission: str):
    """The calling member of staff, when they hold `permission` (as in the back office)."""
    user = caller()
    if not (user.has_permission("admin-access") and user.has_permission(permission)):
        abort(403, f"This needs the {permission} permission.")
    if (current_app.config.get("STORE_REQUIRE_2FA_FOR_STAFF")
            and not getattr(user, "tf_primary_method", None)):
        abort(403, "Set up two-factor sign-in in the back office first.")
    return user


def account_key() -> str:
    """Rate-limit token requests per account typed (normalized), like the sign-in form."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if isinstance(email, str) and email.strip():
        return "api-token:" + normalize_account(email)
    return f"addr:{request.remote_addr}"


def address_key() -> str:
    return f"addr:{request.remote_addr}"


def issue_token(email: str, password: str, code: str | None) -> str:
    """An auth token for a confirmed, active account with this password (and its 2FA code)."""
    with write_transaction(keep_request_lock=True):  # a password re-hash is saved
        return _checked_user(email, password, code).get_auth_token()


def _checked_user(email: str, password: str, code: str | None):
    user = find_user(email=email)
    if (user is None or not user.active or not user.password
            or not user.verify_and_update_password(password)):
        abort(401, "The email or password is wrong.")
    if current_app.config.get("SECURITY_CONFIRMABLE") and not user.confirmed_at:
        abort(401, "Confirm your email address first (see the email we sent).")
    if getattr(user, "tf_primary_method", None) == "authenticator":
        totp = current_app.extensions["security"]._totp_factory
        if not code or not totp.verify_totp(token=code, totp_secret=user.tf_totp_secret,
                                            user=user, window=1):
            abort(401, "This account uses two-factor sign-in: send the current "
                       "authenticator code as `code`.")
    return user
