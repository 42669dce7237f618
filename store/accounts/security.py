"""Flask-Security wiring: datastore, customer role on registration, rate limits."""

import hashlib
import unicodedata

from flask import request, session
from flask_login import current_user
from flask_security import SQLAlchemyUserDatastore, user_registered

from store.accounts import sessions
from store.accounts.security_mail import OutboxMailUtil
from store.extensions import db, limiter, security
from store.models import Role, User, WebAuthn


def normalize_account(identity: str) -> str:
    """One spelling per account: NFKC, casefolded, the domain in IDNA (ASCII)."""
    text = unicodedata.normalize("NFKC", identity or "").strip().casefold()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a valid domain: the casefolded text still names one counter
    return f"{local}@{domain}"


def _typed_identity() -> str:
    """The address typed in the request, from a form or a JSON body alike."""
    body = request.get_json(silent=True) if request.is_json else None
    source = body if isinstance(body, dict) else request.form
    for field in ("email", "identity", "username"):
        value = source.get(field)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _account_key() -> str:
    """Limit attempts per account: the signed-in user, the one half-way through two-factor,
    the token in a reset or confirmation link, else the address typed (normalized)."""
    if current_user and getattr(current_user, "is_authenticated", False):
        return f"account:user:{current_user.fs_uniquifier}"
    if session.get("tf_user_id"):
        return f"account:user:{session['tf_user_id']}"
    token = (request.view_args or {}).get("token")
    if token:
        return "account:token:" + hashlib.sha256(token.encode()).hexdigest()
    identity = _typed_identity()
    if identity:
        return "account:email:" + normalize_account(identity)
    return _addr_key()


def _addr_key() -> str:
    return f"addr:{request.remote_addr}"


# Endpoints that take a password or a code, or send mail: limited per address and per account.
LIMITED_ENDPOINTS = ("security.login", "security.register", "security.forgot_password",
                     "security.reset_password", "security.send_confirmation",
                     "security.confirm_email", "security.two_factor_token_validation",
                     "security.two_factor_rescue", "security.two_factor_setup",
                     "security.two_factor_setup_validate", "security.tf_select",
                     "security.verify", "security.change_password", "security.mf_recovery",
                     "security.mf_recovery_codes")


def init_app(app) -> None:
    """Bind Flask-Security to the app with the shop's models and mail outbox."""
    datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)
    # Flask-Security takes its mail class only in its constructor; setting it here keeps
    # store.extensions free of domain imports (the outbox belongs to notifications).
    security._mail_util_cls = OutboxMailUtil
    security.init_app(app, datastore)
    sessions.init_app(app)
    _limit_security_views(app)


def _limit_security_views(app) -> None:
    per_addr = app.config["STORE_AUTH_LIMIT_PER_ADDRESS"]
    per_account = app.config["STORE_AUTH_LIMIT_PER_ACCOUNT"]
    for endpoint in LIMITED_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        view = limiter.limit(per_addr, key_func=_addr_key, methods=["POST"])(view)
        view = limiter.limit(per_account, key_func=_account_key, methods=["POST"])(view)
        app.view_functions[endpoint] = view


@user_registered.connect
def _give_customer_role(app, user, **_extra):
    """Everyone who registers in the storefront is a customer."""
    datastore = app.extensions["security"].datastore
    role = datastore.find_role("customer")
    if role is not None:
        datastore.add_role_to_user(user, role)

