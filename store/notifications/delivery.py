"""Notifications: delivering the email outbox. Rows queued by store.notifications.outbox are
sent after their transaction commits, with retries; an SMTP outage loses nothing.

After a transaction that queued mail commits, the request that made it delivers it once the
response has gone out (`init_app`), and `flask outbox worker` picks up whatever is still
due. Delivery first *claims* rows (status "sending", with a claim token), so two processes
never send the same row; a failure puts the row back with a later `next_attempt_at`
(exponential backoff) and its error, until MAX_ATTEMPTS make it "failed".
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr

from flask import current_app, g, has_request_context
from flask_mail import Connection, Message
from sqlalchemy import case, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.audit import services as audit
from store.database import begin_write, write_transaction
from store.extensions import db
from store.models import EmailMessage
from store.models.base import utcnow
from store.notifications.attachments import render as render_attachment
from store.notifications.outbox import ACCOUNT_BODY_REMOVED, ACCOUNT_KIND_PREFIX
from store.notifications.rendering import needs_rendering, render_queued

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died; the row is offered again.
STALE_CLAIM = timedelta(minutes=10)
# Rows claimed per round trip; small, so a slow server does not hold many rows.
CLAIM_BATCH = 20


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def max_attempts() -> int:
    """How many tries a message gets before it is "failed"."""
    return int(current_app.config.get("STORE_MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS))


def _claim_token() -> str:
    """Who holds a claim: host, process and a random part (threads must differ too)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def claim_due(limit: int = CLAIM_BATCH, worker: str | None = None, *,
              ids: Iterable[int] | None = None) -> list[int]:
    """Claim up to `limit` due messages (optionally only among `ids`) and commit the claim.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers never take the same row.
    SQLite: one writer at a time (BEGIN IMMEDIATE), so the select-and-mark is atomic.
    """
    worker = worker or _claim_token()
    now = utcnow()
    stale = now - STALE_CLAIM
    is_due = (((EmailMessage.status == "pending") & (EmailMessage.next_attempt_at <= now))
              | ((EmailMessage.status == "sending") & (EmailMessage.claimed_at < stale)))
    begin_write()
    try:
        due = (
            select(EmailMessage.id)
            .where(is_due)
            .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
            .limit(limit)
        )
        if ids is not None:
            due = due.where(EmailMessage.id.in_(list(ids)))
        if db.engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        candidates = list(db.session.scalars(due))
        claimed = []
        if candidates:
            # The update repeats the test, so a row is claimed once even if another
            # claim slipped in between (belt and braces to the lock above).
            claimed = sorted(db.session.scalars(
                update(EmailMessage)
                .where(EmailMessage.id.in_(candidates), is_due)
                .values(status="sending", claimed_by=worker, claimed_at=now)
                .returning(EmailMessage.id)
                .execution_options(synchronize_session=False)
            ))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return claimed


class TimedConnection(Connection):
    """Flask-Mail's SMTP connection with a timeout (MAIL_TIMEOUT seconds).

    Flask-Mail opens its socket without one, so a mail server that stops answering would
    hang a worker, or a web process delivering after its response, for good.
    """

    def configure_host(self):
        state = self.mail
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def _build(message: EmailMessage) -> Message:
    """The message ready to send; one queued by template is rendered now (its bodies ride
    along as `msg.store_rendered`, kept on the row once it is sent)."""
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or "localhost"
    rendered = render_queued(message) if needs_rendering(message) else None
    body_text, body_html = rendered or (message.body_text, message.body_html)
    msg = Message(subject=message.subject, recipients=message.recipients.split(", "),
                  body=body_text, html=body_html or None,
                  sender=message.sender,
                  extra_headers={"X-Store-Outbox-Id": str(message.id)})
    msg.store_rendered = rendered
    # Stable per row: if a crash ever makes us send a row twice, mail systems can tell.
    msg.msgId = f"<outbox.{message.id}.{int(message.created_at.timestamp())}@{domain}>"
    for spec in message.attachments or ():
        attachment = render_attachment(spec)
        msg.attach(attachment.filename, attachment.content_type, attachment.data)
    return msg


def _build_claimed(message_ids: list[int], worker: str) -> tuple[list, list]:
    """The claimed messages built for sending, as (id, attempts, Message), and those that
    could not be built as (id, attempts, error).

    A message whose attachment cannot be drawn fails (and is retried later) on its own,
    without stopping the others.
    """
    batch, broken = [], []
    for message in list(db.session.scalars(
        select(EmailMessage)
        .where(EmailMessage.id.in_(message_ids), EmailMessage.status == "sending",
               EmailMessage.claimed_by == worker)
        .order_by(EmailMessage.id)
    )):
        try:
            batch.append((message.id, message.attempts, _build(message)))
        except Exception as exc:  # a body or an attachment that cannot be drawn now
            log.exception("email %s could not be built", message.id)
            broken.append((message.id, message.attempts, exc))
    return batch, broken


def _record_unbuilt(broken: list, worker: str) -> int:
    for message_id, attempts, exc in broken:
        _record_failure(message_id, attempts, worker, exc)
    return len(broken)


def _permanent(exc: Exception) -> bool:
    """A 5xx answer (no such mailbox, refused): retrying will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPSenderRefused)
    return False


def _record(message_id: int, worker: str, **values) -> None:
    with write_transaction():
        db.session.execute(
            update(EmailMessage)
            .where(EmailMessage.id == message_id, EmailMessage.claimed_by == worker)
            .values(claimed_by=None, claimed_at=None, **values)
            .execution_options(synchronize_session=False)
        )


def _record_sent(message_id: int, attempts: int, worker: str,
                 rendered: tuple[str, str] | None = None) -> None:
    """Mark a message sent; an account email's bodies go in the same statement, and the
    bodies rendered at delivery are kept (what the customer received).

    A delivered reset or confirmation link lives in the recipient's mailbox; a copy kept
    here would let anyone who reads the outbox (or a backup, or an export) sign in.
    """
    account = EmailMessage.kind.startswith(ACCOUNT_KIND_PREFIX, autoescape=True)
    if rendered is not None:  # plain values: bound (and encrypted) as the columns' type
        bodies = {"body_text": rendered[0], "body_html": rendered[1]}
    else:
        bodies = {"body_text": case((account, ACCOUNT_BODY_REMOVED),
                                    else_=EmailMessage.body_text),
                  "body_html": case((account, ""), else_=EmailMessage.body_html)}
    _record(message_id, worker, status="sent", attempts=attempts + 1, sent_at=utcnow(),
            last_error="", **bodies)


def _record_failure(message_id: int, attempts: int, worker: str, exc: Exception,
                    rendered: tuple[str, str] | None = None) -> None:
    """Put a message back for a retry (or fail it); bodies rendered for this try are kept,
    so a retry sends the same email and the back office shows it."""
    attempts += 1
    failed = attempts >= max_attempts() or _permanent(exc)
    bodies = {"body_text": rendered[0], "body_html": rendered[1]} if rendered else {}
    _record(message_id, worker, attempts=attempts, **bodies,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status="failed" if failed else "pending",
            next_attempt_at=utcnow() + backoff(attempts))
    log.warning("email %s not delivered (attempt %s): %s", message_id, attempts, exc)


def deliver(message_ids: list[int], worker: str) -> tuple[int, int]:
    """Send claimed messages over one SMTP connection and record each outcome.

    Returns (sent, failed). Each outcome is committed as soon as it is known, so a crash
    can repeat at most the one message that was on the wire.
    """
    batch, unbuilt = _build_claimed(message_ids, worker)
    db.session.commit()  # end the read; every outcome is its own short write
    failed_to_build = _record_unbuilt(unbuilt, worker)
    if not batch:
        return 0, failed_to_build
    try:
        connection = TimedConnection(current_app.extensions["mail"]).__enter__()
    except Exception as exc:  # server down or refusing: every message waits for a retry
        for message_id, attempts, msg in batch:
            _record_failure(message_id, attempts, worker, exc, msg.store_rendered)
        return 0, len(batch) + failed_to_build
    sent, failed = 0, failed_to_build
    broken: Exception | None = None
    try:
        for message_id, attempts, msg in batch:
            if broken is None:
                try:
                    connection.send(msg)
                except smtplib.SMTPServerDisconnected as exc:
                    broken = exc  # the connection is gone: the rest wait for a retry
                except smtplib.SMTPException as exc:  # refused: this message only
                    _record_failure(message_id, attempts, worker, exc, msg.store_rendered)
                    failed += 1
                    continue
                except OSError as exc:  # socket error (SMTPException is one too)
                    broken = exc
                except Exception as exc:  # bad header and the like: this message only
                    _record_failure(message_id, attempts, worker, exc, msg.store_rendered)
                    failed += 1
                    continue
                else:
                    _record_sent(message_id, attempts, worker, msg.store_rendered)
                    sent += 1
                    continue
            _record_failure(message_id, attempts, worker, broken, msg.store_rendered)
            failed += 1
    finally:
        try:
            connection.__exit__(None, None, None)
        except Exception:  # QUIT on a dead connection; the outcomes are already recorded
            pass
    return sent, failed


def flush_outbox(limit: int = 100, *, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Deliver what is due now (optionally only `ids`); returns (sent, failed)."""
    worker = _claim_token()
    only = list(ids) if ids is not None else None
    sent = failed = 0
    while sent + failed < limit:
        claimed = claim_due(min(limit - sent - failed, CLAIM_BATCH), worker, ids=only)
        if not claimed:
            break
        s, f = deliver(claimed, worker)
        sent += s
        failed += f
        if f and not s:
            break  # the server is not taking mail: leave the rest for the next round
    return sent, failed


def retry_now() -> int:
    """Make every message waiting for a retry due now (the mail server is back). Commits."""
    now = utcnow()
    with write_transaction():
        return db.session.execute(
            update(EmailMessage)
            .where(EmailMessage.status == "pending", EmailMessage.next_attempt_at > now)
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount


def outbox_counts() -> dict[str, int]:
    """How many messages are in each status."""
    rows = db.session.execute(
        select(EmailMessage.status, func.count()).group_by(EmailMessage.status)
    )
    counts = dict.fromkeys(EmailMessage.STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def resend(message_id: int, actor=None) -> bool:
    """Offer a failed message again now (back office), logged for `actor`. Commits.

    Returns False, changing nothing, if the message is not failed.
    """
    with write_transaction():
        message = db.session.get(EmailMessage, message_id)
        if message is None or message.status != "failed":
            return False
        message.status = "pending"
        message.next_attempt_at = utcnow()
        message.claimed_by = message.claimed_at = None
        audit.record(actor, "resend", message, {"status": ["failed", "pending"]},
                     summary=f"Resend email #{message.id}: {message.subject}"[:255])
    deliver_after_response([message_id])
    return True


# -- delivery after the response ----------------------------------------------------------

def deliver_after_response(ids: Iterable[int]) -> None:
    """Ask the current request to deliver these (committed) messages once it has answered."""
    if has_request_context():
        g.setdefault("_store_outbox_ids", set()).update(ids)


@event.listens_for(Session, "after_flush", propagate=True)
def _note_new_mail(session, _ctx):
    """Remember the messages this transaction wrote, to deliver them once committed."""
    ids = [obj.id for obj in session.new if isinstance(obj, EmailMessage)]
    if ids:
        session.info.setdefault("store_outbox", set()).update(ids)


@event.listens_for(Session, "after_commit", propagate=True)
def _mail_committed(session):
    ids = session.info.pop("store_outbox", None)
    if ids:
        deliver_after_response(ids)


@event.listens_for(Session, "after_rollback", propagate=True)
def _mail_rolled_back(session):
    session.info.pop("store_outbox", None)


def init_app(app) -> None:
    """Deliver a request's committed mail once the response has been sent."""

    @app.after_request
    def _deliver_after_response(response):
        if g.pop("_store_commit_outbox", False):
            # Flask-Security queued mail without committing it (e.g. a reset request):
            # commit it with the request's work, unless the request failed.
            if response.status_code < 400:
                try:
                    db.session.commit()
                except IntegrityError:
                    db.session.rollback()
            else:
                db.session.rollback()
        ids = g.pop("_store_outbox_ids", None)
        if ids and app.config.get("STORE_DELIVER_AFTER_REQUEST", True):
            flask_app = current_app._get_current_object()
            # Only this request's messages: older ones are the worker's, and a dead SMTP
            # server must cost one connection attempt here, not one per queued message.
            wanted = sorted(ids)

            def _deliver():
                with flask_app.app_context():
                    try:
                        flush_outbox(len(wanted), ids=wanted)
                    except Exception:  # the worker will retry
                        log.exception("outbox delivery after request failed")

            response.call_on_close(_deliver)
        return response
