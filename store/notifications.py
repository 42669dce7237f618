"""Notifications: the email outbox. Messages are stored with the change that causes them
and delivered after commit, with retries; an SMTP outage loses nothing."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.extensions import db, mail
from store.models import EmailMessage
from store.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died; the row is offered again.
STALE_CLAIM = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def queue_email(kind: str, recipients: list[str] | str, subject: str, body_text: str,
                body_html: str = "", *, locale: str = "en", order_id: int | None = None,
                dedupe_key: str | None = None, sender: str | None = None) -> EmailMessage | None:
    """Add a message to the outbox in the caller's transaction. Does not commit.

    With a dedupe_key, a change that was already announced is not announced twice.
    """
    if isinstance(recipients, str):
        recipients = [recipients]
    recipients = [r for r in dict.fromkeys(r.strip() for r in recipients) if r]
    if not recipients:
        return None
    if dedupe_key is not None:
        exists = db.session.scalar(
            select(EmailMessage.id).where(EmailMessage.dedupe_key == dedupe_key)
        )
        if exists is not None:
            return None
    message = EmailMessage(
        kind=kind, dedupe_key=dedupe_key, recipients=", ".join(recipients),
        sender=sender or current_app.config["MAIL_DEFAULT_SENDER"], subject=subject,
        body_text=body_text, body_html=body_html, locale=locale, order_id=order_id,
        status="pending", attempts=0, last_error="", next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def render_email(template: str, locale: str, **context) -> tuple[str, str]:
    """Render email/<template>.txt and .html in a locale; returns (text, html)."""
    context.setdefault("store_name", current_app.config["STORE_NAME"])
    context.setdefault("store_url", current_app.config["STORE_URL"].rstrip("/"))
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return text, html


def send_templated(kind: str, recipients: list[str] | str, template: str, subject: str, *,
                   locale: str = "en", order_id: int | None = None,
                   dedupe_key: str | None = None, **context) -> EmailMessage | None:
    """Render a template pair in the recipient's language and queue it. Does not commit.

    `subject` is an untranslated message id; it is translated in `locale` with the context.
    """
    from flask_babel import gettext

    text, html = render_email(template, locale, **context)
    with force_locale(locale):
        translated = gettext(subject, **{k: v for k, v in context.items()
                                         if isinstance(v, str | int)})
    name = current_app.config["STORE_NAME"]
    return queue_email(kind, recipients, f"{name}: {translated}", text, html, locale=locale,
                       order_id=order_id, dedupe_key=dedupe_key)


class OutboxMailUtil:
    """Flask-Security's mail hook: its emails go through the outbox like every other."""

    def __init__(self, app):
        self.app = app

    def send_mail(self, template, subject, recipient, sender, body, html, **kwargs):
        if isinstance(sender, tuple):
            sender = f"{sender[0]} <{sender[1]}>"
        user = kwargs.get("user")
        locale = getattr(user, "locale", None) or _request_locale()
        queue_email(f"account_{template}", [str(recipient)], str(subject), body or "",
                    html or "", locale=locale, sender=str(sender))
        # Flask-Security commits its own change after this call; when it sends mail
        # without one (e.g. a repeated reset request), commit the message ourselves.
        if not has_request_context():
            db.session.commit()
        else:
            g._store_commit_outbox = True

    def normalize(self, email):
        from flask_security.mail_util import MailUtil

        return MailUtil(self.app).normalize(email)

    def validate(self, email):
        from flask_security.mail_util import MailUtil

        return MailUtil(self.app).validate(email)


def _request_locale() -> str:
    from store.i18n import current_locale

    try:
        return current_locale()
    except Exception:  # outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due(limit: int = 20, worker: str | None = None) -> list[int]:
    """Claim up to `limit` due messages for this worker and commit the claim.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers never take the same row.
    SQLite: one writer at a time (BEGIN IMMEDIATE), and the claim is a conditional UPDATE.
    """
    from store.database import begin_write

    worker = worker or _worker_id()
    now = utcnow()
    stale = now - STALE_CLAIM
    begin_write()
    try:
        due = (
            select(EmailMessage.id)
            .where(
                ((EmailMessage.status == "pending") & (EmailMessage.next_attempt_at <= now))
                | ((EmailMessage.status == "sending") & (EmailMessage.claimed_at < stale))
            )
            .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
            .limit(limit)
        )
        if db.engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(db.session.scalars(due))
        if ids:
            db.session.execute(
                update(EmailMessage)
                .where(EmailMessage.id.in_(ids))
                .values(status="sending", claimed_by=worker, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ids


def deliver(message_id: int, worker: str | None = None) -> bool:
    """Send one claimed message through Flask-Mail and record the outcome."""
    worker = worker or _worker_id()
    message = db.session.get(EmailMessage, message_id)
    if message is None or message.status != "sending" or message.claimed_by != worker:
        return False
    msg = Message(subject=message.subject, recipients=message.recipients.split(", "),
                  body=message.body_text, html=message.body_html or None,
                  sender=message.sender)
    try:
        mail.send(msg)
    except Exception as exc:  # SMTP down, refused, timed out: keep it and retry later
        attempts = message.attempts + 1
        db.session.execute(
            update(EmailMessage).where(EmailMessage.id == message_id).values(
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                status="failed" if attempts >= MAX_ATTEMPTS else "pending",
                next_attempt_at=utcnow() + backoff(attempts),
                claimed_by=None, claimed_at=None,
            ).execution_options(synchronize_session=False)
        )
        db.session.commit()
        log.warning("email %s not delivered (attempt %s): %s", message_id, attempts, exc)
        return False
    db.session.execute(
        update(EmailMessage).where(EmailMessage.id == message_id).values(
            attempts=message.attempts + 1, status="sent", sent_at=utcnow(), last_error="",
            claimed_by=None, claimed_at=None,
        ).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


def flush_outbox(limit: int = 100) -> tuple[int, int]:
    """Deliver what is due now; returns (sent, failed)."""
    worker = _worker_id()
    sent = failed = 0
    while True:
        ids = claim_due(min(limit - sent - failed, 20), worker)
        if not ids:
            break
        for message_id in ids:
            if deliver(message_id, worker):
                sent += 1
            else:
                failed += 1
        if sent + failed >= limit:
            break
    return sent, failed


def resend(message_id: int) -> None:
    """Offer a failed message again now (back office). Commits."""
    db.session.execute(
        update(EmailMessage).where(EmailMessage.id == message_id,
                                   EmailMessage.status.in_(("failed", "pending")))
        .values(status="pending", next_attempt_at=utcnow(), claimed_by=None, claimed_at=None)
    )
    db.session.commit()


@event.listens_for(Session, "before_flush", propagate=True)
def _note_new_mail(session, _ctx, _instances):
    """Remember that this transaction wrote mail, to deliver it once committed."""
    if any(isinstance(obj, EmailMessage) for obj in session.new):
        session.info["store_outbox"] = True


@event.listens_for(Session, "after_commit", propagate=True)
def _mail_committed(session):
    if session.info.pop("store_outbox", False) and has_request_context():
        g._store_outbox_due = True


@event.listens_for(Session, "after_rollback", propagate=True)
def _mail_rolled_back(session):
    session.info.pop("store_outbox", None)


def init_app(app) -> None:
    """Deliver a request's committed mail once the response has been sent."""

    @app.after_request
    def _deliver_after_response(response):
        if g.pop("_store_commit_outbox", False):
            # Flask-Security queued mail and did not commit it (e.g. a reset request
            # for an existing user): it must not be lost.
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
        due = g.pop("_store_outbox_due", False)
        if due and app.config.get("STORE_DELIVER_AFTER_REQUEST", True):
            flask_app = current_app._get_current_object()

            def _deliver():
                with flask_app.app_context():
                    try:
                        flush_outbox()
                    except Exception:  # the worker or next request will retry
                        log.exception("outbox delivery after request failed")

            response.call_on_close(_deliver)
        return response
