"""Notifications: queueing email in the outbox. Messages are stored with the change that
causes them, in the caller's transaction, and delivered after commit by
store.notifications.delivery, with retries; an SMTP outage loses nothing.

Life of a message: `queue_email()` adds a row (status "pending") in the caller's
transaction; Flask-Security's mail joins the same outbox (store.accounts.security_mail).
Everything after that (claiming, sending, retrying) is in store.notifications.delivery.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from store.extensions import db
from store.i18n import current_locale
from store.models import EmailMessage, Role, User
from store.models.base import utcnow
from store.settings.services import get_settings

# Flask-Security's mail (store.accounts.security_mail): its links and codes sign people in,
# so its stored bodies are removed once delivered (store.notifications.delivery).
ACCOUNT_KIND_PREFIX = "account_"
ACCOUNT_BODY_REMOVED = ("(Removed after delivery: this account email held a link or code "
                        "that signs in.)")
ACCOUNT_BODY_WITHHELD = "(Not included: this account email holds a link or code that signs in.)"
LINK_REMOVED = "[link removed]"
_LINK = re.compile(r"https?://[^\s\"'<>]+")


def N_(message: str) -> str:
    """Mark a string for translation without translating it (it is translated later)."""
    return message


# -- queueing -----------------------------------------------------------------------------

def queue_email(kind: str, recipients: list[str] | str, subject: str, body_text: str,
                body_html: str = "", *, locale: str = "en", order_id: int | None = None,
                dedupe_key: str | None = None, sender: str | None = None,
                attachments: list[dict] | None = None) -> EmailMessage | None:
    """Add a message to the outbox in the caller's transaction. Does not commit.

    With a dedupe_key, a change that was already announced is not announced twice, even
    when two transactions race (the unique key decides, inside a savepoint).
    `attachments` names documents drawn at delivery (store.notifications.attachments).
    """
    if isinstance(recipients, str):
        recipients = [recipients]
    recipients = [r for r in dict.fromkeys((r or "").strip() for r in recipients) if r]
    if not recipients:
        return None
    if dedupe_key is not None and already_queued(dedupe_key):
        return None
    message = EmailMessage(
        kind=kind[:40], dedupe_key=dedupe_key, recipients=", ".join(recipients),
        sender=sender or current_app.config["MAIL_DEFAULT_SENDER"], subject=subject[:255],
        body_text=body_text, body_html=body_html, locale=locale or "en", order_id=order_id,
        status="pending", attempts=0, last_error="", next_attempt_at=utcnow(),
        attachments=list(attachments) if attachments else None,
    )
    if dedupe_key is None:
        db.session.add(message)
        return message
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # Another transaction announced the same change first: theirs is the one sent.
        return None
    return message


def is_account_mail(kind: str) -> bool:
    """Whether a message kind is Flask-Security's account mail (reset, confirm, 2FA code)."""
    return kind.startswith(ACCOUNT_KIND_PREFIX)


def body_without_secrets(message: EmailMessage) -> str:
    """A message's text with nothing that signs in or opens an order: for exports.

    Account mail is withheld whole (its codes are not links); other mail loses its links,
    since a guest's order link carries the token that opens the order.
    """
    if is_account_mail(message.kind):
        return ACCOUNT_BODY_WITHHELD
    return _LINK.sub(LINK_REMOVED, message.body_text or "")


def already_queued(dedupe_key: str) -> bool:
    """True if a message for this change is already in the outbox."""
    return db.session.scalar(
        select(EmailMessage.id).where(EmailMessage.dedupe_key == dedupe_key)
    ) is not None


def render_email(template: str, locale: str, **context) -> tuple[str, str]:
    """Render email/<template>.txt and .html in a locale; returns (text, html)."""
    context.setdefault("store_name", get_settings().shop_name)
    context.setdefault("store_url", current_app.config["STORE_URL"].rstrip("/"))
    context.setdefault("locale", locale)
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return text.strip() + "\n", html


def send_templated(kind: str, recipients: list[str] | str, template: str, subject: str, *,
                   locale: str | None = "en", order_id: int | None = None,
                   dedupe_key: str | None = None, attachments: list[dict] | None = None,
                   **context) -> EmailMessage | None:
    """Render a template pair in the recipient's language and queue it. Does not commit.

    `subject` is an untranslated message id (mark it with N_); it is translated in
    `locale` and formatted with the string and number values of the context.
    """
    if dedupe_key is not None and already_queued(dedupe_key):
        return None
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    text, html = render_email(template, locale, **context)
    values = {k: v for k, v in context.items() if isinstance(v, str | int)}
    with force_locale(locale):
        translated = gettext(subject, **values)
    name = get_settings().shop_name
    return queue_email(kind, recipients, f"{name}: {translated}", text, html, locale=locale,
                       order_id=order_id, dedupe_key=dedupe_key, attachments=attachments)


def queue_templated(kind: str, recipients: list[str] | str, template: str, subject: str, *,
                    locale: str | None = "en", order_id: int | None = None,
                    dedupe_key: str | None = None, payload: dict | None = None,
                    attachments: list[dict] | None = None,
                    **subject_values) -> int | None:
    """Queue a template pair to be rendered when it is delivered; returns the message's id
    (None when the change was already announced). Does not commit.

    Nothing is rendered in the caller's transaction: the row carries the subject (an
    untranslated message id, translated in `locale` with `subject_values`), the template
    and `payload`, the ids and values as of the event that the builder registered for the
    template (store.notifications.rendering) turns into its context at delivery. One
    INSERT, which inserts nothing for a dedupe key already there.
    """
    if isinstance(recipients, str):
        recipients = [recipients]
    recipients = [r for r in dict.fromkeys((r or "").strip() for r in recipients) if r]
    if not recipients:
        return None
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        translated = gettext(subject, **subject_values)
    subject = f"{get_settings().shop_name}: {translated}"
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    # One statement: a change already announced (same dedupe key) inserts nothing.
    message_id = db.session.scalar(
        dialect.insert(EmailMessage).values(
            kind=kind[:40], dedupe_key=dedupe_key, recipients=", ".join(recipients),
            sender=current_app.config["MAIL_DEFAULT_SENDER"], subject=subject[:255],
            body_text="", body_html="", locale=locale, order_id=order_id, status="pending",
            attempts=0, last_error="", next_attempt_at=utcnow(), created_at=utcnow(),
            attachments=list(attachments) if attachments else None, template=template,
            payload=payload or {})
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(EmailMessage.id))
    if message_id is not None:  # delivered after commit (store.notifications.delivery)
        db.session.info.setdefault("store_outbox", set()).add(message_id)
    return message_id


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built on STORE_URL (never on the request's Host).

    Works in requests, commands and the worker alike.
    """
    base = urlsplit(current_app.config["STORE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


# -- who gets staff mail ------------------------------------------------------------------

def staff_recipients(permission: str) -> dict[str, list[str]]:
    """Addresses for a staff alert, grouped by language: users holding `permission`
    through a role, plus STORE_STAFF_EMAIL (comma-separated) in the default language."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    groups: dict[str, list[str]] = {}
    # One query: every active staff member with a role, the permission checked here (a
    # role's permissions are a list, not something SQL compares portably).
    rows = db.session.execute(
        select(User.email, User.locale, Role)
        .join(User.roles)
        .where(User.active.is_(True), User.erased_at.is_(None))
        .order_by(User.id)
    )
    for email, locale, role in rows:
        if permission not in (role.permissions or []):
            continue
        locale = locale if locale in current_app.config["STORE_LOCALES"] else default
        if email not in groups.get(locale, ()):
            groups.setdefault(locale, []).append(email)
    configured = current_app.config.get("STORE_STAFF_EMAIL") or ""
    for address in (a.strip() for a in configured.split(",")):
        if address and not any(address in group for group in groups.values()):
            groups.setdefault(default, []).append(address)
    return groups


def send_to_staff(kind: str, permission: str, template: str, subject: str, *,
                  dedupe_key: str, order_id: int | None = None,
                  context: Callable[[str], dict] | None = None, **values) -> int:
    """Queue a staff alert to everyone holding `permission`, one message per language.

    `context(locale)`, when given, adds template values built for that language. Returns
    how many messages were queued. Does not commit.
    """
    queued = 0
    for locale, addresses in staff_recipients(permission).items():
        extra = context(locale) if context is not None else {}
        if send_templated(kind, addresses, template, subject, locale=locale,
                          order_id=order_id, dedupe_key=f"{dedupe_key}:{locale}",
                          **{**values, **extra}):
            queued += 1
    return queued


def queue_to_staff(kind: str, permission: str, template: str, subject: str, *,
                   dedupe_key: str, order_id: int | None = None, payload: dict | None = None,
                   **subject_values) -> int:
    """Queue a staff alert rendered at delivery, one message per language (see
    queue_templated). Returns how many messages were queued. Does not commit."""
    queued = 0
    for locale, addresses in staff_recipients(permission).items():
        if queue_templated(kind, addresses, template, subject, locale=locale,
                           order_id=order_id, dedupe_key=f"{dedupe_key}:{locale}",
                           payload=payload, **subject_values):
            queued += 1
    return queued


def request_locale() -> str:
    """The language of the current request (the default one outside requests)."""
    if has_request_context():
        return current_locale()
    return current_app.config["BABEL_DEFAULT_LOCALE"]
