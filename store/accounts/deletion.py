"""A customer deletes their own account: asked with the password, confirmed from an email.

The email carries a signed link (itsdangerous, the app's secret, a salt of its own) that
lasts DELETION_MAX_AGE. It names the account by its fs_uniquifier and a digest of its
password hash, so signing out everywhere, changing the password or the erasure itself (which
replaces both) kills every link sent before. Confirming runs the back office's erasure
(store.accounts.customers.erase_customer) with the customer as the actor.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from flask_security.utils import verify_password
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from store.accounts import sessions
from store.accounts.customers import erase_customer
from store.audit import services as audit
from store.database import write_transaction
from store.errors import PermissionDenied, ValidationFailed
from store.models import User
from store.notifications.outbox import N_, external_url, request_locale, send_templated

SALT = "simplestore-account-deletion"
DELETION_MAX_AGE = 24 * 60 * 60  # seconds
SUBJECT = N_("Confirm the deletion of your account")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _password_digest(user: User) -> str:
    return hashlib.sha256((user.password or "").encode()).hexdigest()[:16]


def deletion_token(user: User) -> str:
    """A signed link token for deleting this account, valid for DELETION_MAX_AGE."""
    return _serializer().dumps({"u": user.fs_uniquifier, "p": _password_digest(user)})


def _check_may_delete(user: User) -> None:
    if user.is_staff:
        raise PermissionDenied(_("Staff and owner accounts cannot be deleted here. Please "
                                 "ask an owner to close your account."))
    if user.erased_at is not None or not user.active:
        raise ValidationFailed(_("This account is already closed."))


def request_deletion(user: User, password: str) -> None:
    """Check the password and email the customer a link that confirms the deletion. Commits.

    A wrong password, or a staff account, sends nothing.
    """
    _check_may_delete(user)
    if not password or not user.password or not verify_password(password, user.password):
        raise ValidationFailed(_("That password is not correct."), field="password")
    link = external_url("storefront.account_delete_confirm", token=deletion_token(user))
    with write_transaction():
        # An account_ kind: the body holds a link that deletes, so it is removed once sent.
        send_templated("account_deletion", user.email, "account_deletion", SUBJECT,
                       locale=user.locale or request_locale(), link=link,
                       hours=DELETION_MAX_AGE // 3600, name=user.full_name or "")
        audit.record(user, "deletion-requested", user, {},
                     summary=f"Customer {user.id} asked to delete the account")


def user_for_token(token: str, user: User) -> User:
    """The signed-in user, if `token` is a live deletion link of theirs; else ValidationFailed
    saying why (expired, or not valid: forged, already used, another account's)."""
    try:
        data = _serializer().loads(token, max_age=DELETION_MAX_AGE)
    except SignatureExpired:
        raise ValidationFailed(_("This link has expired. Please ask for a new one from your "
                                 "account page.")) from None
    except BadSignature:
        data = None
    if (not isinstance(data, dict) or data.get("u") != user.fs_uniquifier
            or data.get("p") != _password_digest(user)):
        raise ValidationFailed(_("This link is not valid (any more) for your account. Please "
                                 "ask for a new one from your account page."))
    _check_may_delete(user)
    return user


def delete_account(token: str, user: User) -> None:
    """Erase the signed-in customer's account from a live link and sign them out everywhere.
    Commits."""
    user = user_for_token(token, user)
    erase_customer(user.id, actor=user)
    sessions.end_other_sessions(user)
