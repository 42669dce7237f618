"""Demo accounts in production: finding them, removing them, and refusing to serve with them.

A database seeded in development has owner@example.com with a published password; started
with STORE_ENV=production it would let anyone in as the owner. Production therefore refuses
to start (and, as a second line, to answer requests) while any demo account is active, and
`flask users remove-demo` switches them off.
"""

import os
import secrets
import uuid

from flask import current_app, request
from flask_security import hash_password
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from store.config import ConfigError
from store.database import write_transaction
from store.dev.seed import DEMO_USERS
from store.extensions import db
from store.models import User

REMOVE_COMMAND = "flask users remove-demo"
DEMO_EMAILS = tuple(email for email, _role, _name in DEMO_USERS)


def active_demo_accounts() -> list[str]:
    """The e-mail addresses of demo accounts that can still sign in."""
    if not inspect(db.engine).has_table(User.__tablename__):
        return []  # before `flask db upgrade`: no accounts at all
    return list(db.session.scalars(
        select(User.email).where(User.email.in_(DEMO_EMAILS), User.active.is_(True))
        .order_by(User.email)))


def remove_demo_accounts() -> list[str]:
    """Deactivate the demo accounts (new random password and session id); returns them.

    They are not deleted: in a shop that kept its demo data they may own orders.
    """
    with write_transaction():
        users = db.session.scalars(select(User).where(User.email.in_(DEMO_EMAILS))).all()
        for user in users:
            user.active = False
            user.password = hash_password(secrets.token_urlsafe(32))
            # A new uniquifier invalidates every session and remember-me cookie of the account.
            user.fs_uniquifier = uuid.uuid4().hex
    return [user.email for user in users]


def _refusal(emails: list[str]) -> str:
    return (f"Demo accounts are active ({', '.join(emails)}) and STORE_ENV=production: "
            f"run `{REMOVE_COMMAND}` before serving the shop.")


def check_demo_accounts(app) -> None:
    """Refuse to start a production server while demo accounts are active.

    Flask's own commands (`flask db upgrade`, `flask users remove-demo`, ...) load the app too
    and must be able to fix the database, so they skip this start-up check; `flask run` is
    then held back by the request guard below.
    """
    if app.config.get("STORE_ENV") != "production":
        return
    app.before_request(_guard_requests)
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        return
    with app.app_context():
        try:
            emails = active_demo_accounts()
        except SQLAlchemyError:
            emails = []  # no database yet: nothing to sign in to
        finally:
            db.session.remove()
            db.engine.dispose()  # no connection survives into forked workers
    if emails:
        raise ConfigError(_refusal(emails))


def _guard_requests():
    # Checked per request until the database is found clean (demo accounts never come back
    # in production: the seed creates them only in development).
    if current_app.extensions.get("store_demo_checked") or request.path.startswith("/static"):
        return None
    try:
        found = active_demo_accounts()
    except SQLAlchemyError:
        return None  # the request itself will meet (and report) the database error
    if found:
        message = f"This shop is not ready to serve: run `{REMOVE_COMMAND}`."
        return message, 503, {"Content-Type": "text/plain; charset=utf-8"}
    current_app.extensions["store_demo_checked"] = True
    return None
