"""Back-office outbox: every email the shop sent or will send, read-only.

Owners (outbox-manage) see all messages and may resend failed ones; staff (outbox-read) see
only the order emails (kind "order_..."), which is what they need to answer "did the
customer get the confirmation?" without reading account or support mail.
"""

from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_login import current_user
from markupsafe import Markup, escape

from store.admin.base import StoreModelView
from store.admin.gate import has_permission
from store.extensions import db
from store.models import EmailMessage
from store.notifications import delivery as notifications

STATUS_BADGES = {"pending": "warning", "sending": "info", "sent": "success",
                 "failed": "danger"}


def _status_badge(_view, _context, model, _name):
    css = STATUS_BADGES.get(model.status, "secondary")
    return Markup(f'<span class="badge badge-{css}">{escape(model.status)}</span>')


def _short(limit: int):
    def formatter(_view, _context, model, name):
        value = getattr(model, name) or ""
        return value if len(value) <= limit else value[: limit - 1] + "…"

    return formatter


def _when(_view, _context, model, name):
    value = getattr(model, name)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _pre(_view, _context, model, name):
    return Markup(f'<pre class="mb-0 text-wrap">{escape(getattr(model, name) or "")}</pre>')


def _body(view, context, model, name):
    # Account mail carries live sign-in, confirm and reset links: nobody should read them
    # off the back office, not even an owner.
    if model.kind.startswith("account_"):
        return Markup('<em class="text-muted">Hidden: account emails hold personal '
                      "sign-in links.</em>")
    return _pre(view, context, model, name)


class EmailMessageAdmin(StoreModelView):
    """The outbox: status, attempts and last error of each email; owners resend failures."""

    permission = "outbox-read"
    write_permission = "outbox-manage"
    action_permissions = {"resend": "outbox-manage"}
    audit = False  # read-only; a resend is logged by the service

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True

    column_list = ("created_at", "kind", "recipients", "subject", "status", "attempts",
                   "last_error", "next_attempt_at", "sent_at")
    column_labels = {"created_at": "Queued (UTC)", "next_attempt_at": "Next try (UTC)",
                     "sent_at": "Sent (UTC)", "last_error": "Last error",
                     "body_text": "Text", "dedupe_key": "Change"}
    column_sortable_list = ("created_at", "kind", "status", "attempts", "next_attempt_at",
                            "sent_at")
    column_default_sort = [("created_at", True), ("id", True)]
    column_searchable_list = ("recipients", "subject")
    named_filter_urls = True
    column_filters = (
        FilterEqual(EmailMessage.status, "Status",
                    options=[(s, s.capitalize()) for s in EmailMessage.STATUSES]),
        FilterEqual(EmailMessage.kind, "Kind"),
        FilterLike(EmailMessage.recipients, "Recipient"),
        "created_at",
        "sent_at",
        "attempts",
    )
    column_details_list = ("id", "created_at", "kind", "dedupe_key", "order", "sender",
                           "recipients", "subject", "locale", "status", "attempts",
                           "last_error", "next_attempt_at", "sent_at", "claimed_by",
                           "claimed_at", "body_text")
    column_formatters = {
        "status": _status_badge,
        "subject": _short(70),
        "last_error": _short(60),
        "created_at": _when,
        "next_attempt_at": _when,
        "sent_at": _when,
    }
    column_formatters_detail = {"status": _status_badge, "body_text": _body,
                                "last_error": _pre}

    def is_accessible(self) -> bool:
        """Open to holders of outbox-read or outbox-manage."""
        return has_permission("admin-access") and (
            has_permission("outbox-read") or has_permission("outbox-manage"))

    # -- what each user may see ----------------------------------------------------------------

    @staticmethod
    def sees_everything() -> bool:
        return has_permission("outbox-manage")

    def _scoped(self, query):
        if self.sees_everything():
            return query
        return query.filter(EmailMessage.kind.startswith("order_", autoescape=True))

    def get_query(self):
        return self._scoped(super().get_query())

    def get_count_query(self):
        return self._scoped(super().get_count_query())

    def get_one(self, id):
        """One message, if this user may see it (else the list says it does not exist)."""
        try:
            message = db.session.get(EmailMessage, int(id))
        except (TypeError, ValueError):
            return None
        if message is None:
            return None
        if not self.sees_everything() and not message.kind.startswith("order_"):
            return None
        return message

    # -- resend --------------------------------------------------------------------------------

    @action("resend", "Resend", "Send the selected failed messages again?")
    def action_resend(self, ids):
        """Owner only: offer failed messages to the mail server again."""
        actor = current_user if current_user.is_authenticated else None
        done = sum(1 for message_id in ids if notifications.resend(int(message_id), actor))
        skipped = len(ids) - done
        if done:
            flash(f"{done} message(s) queued again; they go out in a moment.", "success")
        if skipped:
            flash(f"{skipped} message(s) skipped: only failed messages can be resent.",
                  "warning")


def register_outbox_views(admin) -> None:
    """Add the outbox to the back office."""
    admin.add_view(EmailMessageAdmin(EmailMessage, db, name="Outbox", endpoint="emailmessage",
                                     category="Messages"))
