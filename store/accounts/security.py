"""Flask-Security wiring: datastore, customer role on registration, rate limits."""

from flask import request
from flask_security import SQLAlchemyUserDatastore, user_registered

from store.accounts.security_mail import OutboxMailUtil
from store.extensions import db, limiter, security
from store.models import Role, User, WebAuthn


def _email_key() -> str:
    """Limit attempts per account: the address typed in the form."""
    email = (request.form.get("email") or "").strip().lower()
    return f"email:{email}" if email else f"addr:{request.remote_addr}"


def _addr_key() -> str:
    return f"addr:{request.remote_addr}"


# Endpoints that take a password or send mail, limited per address and per account.
LIMITED_ENDPOINTS = ("security.login", "security.register", "security.forgot_password",
                     "security.reset_password", "security.send_confirmation",
                     "security.two_factor_token_validation")


def init_app(app) -> None:
    """Bind Flask-Security to the app with the shop's models and mail outbox."""
    datastore = SQLAlchemyUserDatastore(db, User, Role, WebAuthn)
    # Flask-Security takes its mail class only in its constructor; setting it here keeps
    # store.extensions free of domain imports (the outbox belongs to notifications).
    security._mail_util_cls = OutboxMailUtil
    security.init_app(app, datastore)
    _limit_security_views(app)


def _limit_security_views(app) -> None:
    per_addr = app.config["STORE_AUTH_LIMIT_PER_ADDRESS"]
    per_account = app.config["STORE_AUTH_LIMIT_PER_ACCOUNT"]
    for endpoint in LIMITED_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        view = limiter.limit(per_addr, key_func=_addr_key, methods=["POST"])(view)
        view = limiter.limit(per_account, key_func=_email_key, methods=["POST"])(view)
        app.view_functions[endpoint] = view


@user_registered.connect
def _give_customer_role(app, user, **_extra):
    """Everyone who registers in the storefront is a customer."""
    datastore = app.extensions["security"].datastore
    role = datastore.find_role("customer")
    if role is not None:
        datastore.add_role_to_user(user, role)

