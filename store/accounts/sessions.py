"""Server-side sign-in sessions: the database says which signed-in browsers are still valid.

Every sign-in adds a UserSession row and puts its id in the (signed, client-side) session
cookie, and in a second cookie next to Flask-Login's remember-me cookie. The user loader
accepts a session only while its row exists, so signing out (which deletes the row) also
disables any copy of the cookies. A password change or reset deletes every other row;
"sign out everywhere" deletes them all. The database is the state every process shares.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import after_this_request, current_app, request, session
from flask_login import logout_user, user_logged_in, user_logged_out
from flask_security import password_changed, password_reset
from flask_security.utils import set_request_attr
from sqlalchemy import delete, select

from store.database import write_transaction
from store.extensions import db
from store.models import User
from store.models.base import utcnow
from store.models.users import UserSession

SID_KEY = "store_sid"
REMEMBER_SID_COOKIE = "store_remember_sid"


def init_app(app) -> None:
    """Load signed-in users only through a live session row (replaces Flask-Security's)."""
    app.login_manager.user_loader(load_user)


def _max_age() -> timedelta:
    """How long a sign-in lasts at most: the remember-me cookie's lifetime."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def load_user(user_id):
    """The user of this session cookie, or None once that session was signed out."""
    if not user_id:
        return None
    sid = session.get(SID_KEY)
    restoring = not sid
    if restoring:  # a new browser session restored by the remember-me cookie
        sid = request.cookies.get(REMEMBER_SID_COOKIE)
    if not sid:
        return None
    user = db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(User.fs_uniquifier == str(user_id), User.active.is_(True),
               UserSession.id == sid, UserSession.created_at > utcnow() - _max_age()))
    if user is None:
        return None
    if restoring:
        session[SID_KEY] = sid
    # What Flask-Security's own loader records about a session sign-in.
    set_request_attr("fs_authn_via", "session")
    set_request_attr("fs_paa", session.get("fs_paa", 0))
    return user


@user_logged_in.connect
def _start_session(app, user, **_extra):
    sid = secrets.token_urlsafe(32)
    with write_transaction(keep_request_lock=True):
        # Sign-ins older than the longest a session may last are dead: drop them here.
        db.session.execute(delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at <= utcnow() - _max_age()))
        db.session.add(UserSession(id=sid, user_id=user.id))
    session[SID_KEY] = sid
    if session.get("_remember") == "set":
        max_age = int(_max_age().total_seconds())

        @after_this_request
        def _remember_sid(response):
            response.set_cookie(REMEMBER_SID_COOKIE, sid, max_age=max_age, httponly=True,
                                secure=bool(app.config.get("REMEMBER_COOKIE_SECURE")),
                                samesite=app.config.get("REMEMBER_COOKIE_SAMESITE") or "Lax")
            return response


@user_logged_out.connect
def _end_session(app, user, **_extra):
    sid = session.pop(SID_KEY, None)
    if sid:
        with write_transaction(keep_request_lock=True):
            db.session.execute(delete(UserSession).where(UserSession.id == sid))

    @after_this_request
    def _forget_sid(response):
        response.delete_cookie(REMEMBER_SID_COOKIE)
        return response


def end_other_sessions(user, keep: str | None = None) -> int:
    """Sign the user out of every browser but the one holding session `keep`. Commits."""
    with write_transaction(keep_request_lock=True):
        query = delete(UserSession).where(UserSession.user_id == user.id)
        if keep:
            query = query.where(UserSession.id != keep)
        return db.session.execute(query).rowcount


@password_changed.connect
def _password_changed(app, user, **_extra):
    end_other_sessions(user, keep=session.get(SID_KEY))


@password_reset.connect
def _password_reset(app, user, **_extra):
    end_other_sessions(user)


def sign_out_everywhere(user) -> None:
    """End every session of the user, this one included, and sign this browser out. Commits."""
    datastore = current_app.extensions["security"].datastore
    with write_transaction(keep_request_lock=True):
        # A new fs_uniquifier also voids any token or link issued for the old sessions.
        datastore.set_uniquifier(user)
    end_other_sessions(user)
    logout_user()
