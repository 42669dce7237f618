"""Flask-Security wiring: datastore, customer role on registration, rate limits."""

import base64
import functools
import hashlib
import hmac
import unicodedata

from flask import request, session
from flask_login import current_user
from flask_security import (
    SQLAlchemyUserDatastore,
    password_changed,
    password_reset,
    tf_profile_changed,
    user_confirmed,
    user_registered,
)
from flask_security.utils import uia_email_mapper

from store.accounts import guest_orders, sessions
from store.accounts.security_mail import OutboxMailUtil
from store.audit import services as audit
from store.database import write_transaction
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
    # Recovery codes are stored encrypted, under a key derived from SECRET_KEY unless set.
    app.config.setdefault("SECURITY_MULTI_FACTOR_RECOVERY_CODES_KEYS",
                          [_derived_key(app.config["SECRET_KEY"], b"simplestore-recovery-codes")])
    security.init_app(app, datastore)
    sessions.init_app(app)
    _limit_security_views(app)


def _derived_key(secret: str, purpose: bytes) -> bytes:
    """A Fernet key (urlsafe base64 of 32 bytes) for one purpose, derived from a secret."""
    return base64.urlsafe_b64encode(hmac.new(str(secret).encode(), purpose,
                                             hashlib.sha256).digest())


def _limit_security_views(app) -> None:
    per_addr = app.config["STORE_AUTH_LIMIT_PER_ADDRESS"]
    per_account = app.config["STORE_AUTH_LIMIT_PER_ACCOUNT"]
    for endpoint in LIMITED_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        if endpoint in AUDITED_FAILURES:
            view = _audit_failures(view, AUDITED_FAILURES[endpoint])
        view = limiter.limit(per_addr, key_func=_addr_key, methods=["POST"])(view)
        view = limiter.limit(per_account, key_func=_account_key, methods=["POST"])(view)
        app.view_functions[endpoint] = view


# -- Security events in the audit log ---------------------------------------------------------

# Endpoints whose refused attempts are logged, and the action they are logged as.
AUDITED_FAILURES = {"security.login": "sign-in-failed",
                    "security.two_factor_token_validation": "two-factor-failed",
                    "security.mf_recovery": "two-factor-failed"}


def _audit_failures(view, action: str):
    """Log a POST to `view` that left nobody signed in (and, for sign-in, no code to ask)."""

    @functools.wraps(view)
    def audited(*args, **kwargs):
        pending_before = session.get("tf_user_id")
        response = view(*args, **kwargs)
        if request.method != "POST" or current_user.is_authenticated:
            return response
        if action == "sign-in-failed" and not session.get("tf_user_id"):
            _record_failure(action, find_user(email=_typed_identity()))
        elif action != "sign-in-failed" and pending_before:
            _record_failure(action, find_user(fs_uniquifier=pending_before))
        return response

    return audited


def find_user(**field):
    """The user with this email (typed any way) or fs_uniquifier, or None."""
    datastore = security.datastore
    value = next(iter(field.values()))
    if not value:
        return None
    if "email" in field:
        try:
            value = uia_email_mapper(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            return None
        return datastore.find_user(case_insensitive=True, email=value)
    return datastore.find_user(**field)


def _record_failure(action: str, user) -> None:
    # Attempts on addresses without an account have no user to file them under; the
    # per-address rate limit covers those.
    if user is None:
        return
    with write_transaction(keep_request_lock=True):
        audit.record(user.email, action, user, {"address": [None, request.remote_addr]})


def _record(user, action: str) -> None:
    with write_transaction(keep_request_lock=True):
        audit.record(user, action, user, {"password": [audit.REDACTED, audit.REDACTED]})


@password_changed.connect
def _audit_password_changed(app, user, **_extra):
    _record(user, "password-change")


@password_reset.connect
def _audit_password_reset(app, user, **_extra):
    _record(user, "password-reset")


@tf_profile_changed.connect
def _audit_two_factor_set_up(app, user, method=None, **_extra):
    with write_transaction(keep_request_lock=True):
        audit.record(user, "two-factor-set-up", user, {"method": [None, method]})


@user_registered.connect
def _give_customer_role(app, user, **_extra):
    """Everyone who registers in the storefront is a customer."""
    datastore = app.extensions["security"].datastore
    role = datastore.find_role("customer")
    if role is not None:
        datastore.add_role_to_user(user, role)


# A confirmed address brings the guest orders placed with it into the account.
user_confirmed.connect(guest_orders.on_email_confirmed)
