"""Back-office support tickets: the list by status, each ticket with its replies, a reply
form (the reply is emailed to the customer) and open / answered / closed buttons.

Tickets are never created, edited or deleted as raw rows here: replies and status changes
go through store.support.services, which emails and logs them.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from store.accounts.masking import pii_email
from store.admin.base import StoreModelView
from store.errors import StoreError
from store.extensions import db
from store.models import SupportReply, SupportTicket
from store.support import services as support

STATUS_BADGES = {"open": "warning", "answered": "info", "closed": "secondary"}


class ReplyForm(FlaskForm):
    """A reply to the customer (emailed, and kept on the ticket)."""

    body = TextAreaField("Reply", validators=[
        DataRequired("Write the reply first."), Length(max=support.MAX_REPLY)])


class TicketStatusForm(FlaskForm):
    """Set the ticket's status (a button per status)."""

    status = HiddenField(validators=[AnyOf(SupportTicket.STATUSES)])


def _status_badge(_view, _context, model, _name):
    css = STATUS_BADGES.get(model.status, "secondary")
    return Markup(f'<span class="badge badge-{css}">{escape(model.status)}</span>')


def _message(_view, _context, model, _name):
    text = " ".join((model.message or "").split())
    return text if len(text) <= 80 else text[:79] + "…"


def _when(_view, _context, model, name):
    value = getattr(model, name)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


class SupportTicketAdmin(StoreModelView):
    """Support tickets: read, reply, and move between open, answered and closed."""

    permission = "support-manage"
    audit = False  # replies and status changes are logged by store.support.services

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    details_template = "admin/support/details.html"

    column_list = ("id", "created_at", "status", "name", "email", "order", "message")
    column_labels = {"id": "Ticket", "created_at": "Received (UTC)"}
    column_sortable_list = ("id", "created_at", "status", "email")
    column_default_sort = [("created_at", True), ("id", True)]
    # Names and messages are encrypted at rest, so only the email can be searched.
    column_searchable_list = ("email",)
    named_filter_urls = True
    column_filters = (
        FilterEqual(SupportTicket.status, "Status",
                    options=[(s, s.capitalize()) for s in SupportTicket.STATUSES]),
        FilterLike(SupportTicket.email, "Email"),
        "created_at",
    )
    column_formatters = {"status": _status_badge, "message": _message,
                         "created_at": _when, "email": lambda v, c, m, n: pii_email(m.email)}

    def get_one(self, id):
        """One ticket with its order and replies (and who wrote them), loaded up front."""
        try:
            ticket_id = int(id)
        except (TypeError, ValueError):
            return None
        return db.session.scalar(
            select(SupportTicket).where(SupportTicket.id == ticket_id).options(
                joinedload(SupportTicket.order), joinedload(SupportTicket.user),
                selectinload(SupportTicket.replies).joinedload(SupportReply.user)))

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            kwargs.update(reply_form=kwargs.get("reply_form") or ReplyForm(formdata=None),
                          status_form=TicketStatusForm(formdata=None),
                          statuses=SupportTicket.STATUSES)
        return super().render(template, **kwargs)

    def _details(self, ticket_id: int):
        return redirect(url_for(".details_view", id=ticket_id))

    @expose("/<int:ticket_id>/reply", methods=("POST",))
    def reply_view(self, ticket_id):
        """Email a reply to the customer and keep it on the ticket."""
        form = ReplyForm()
        if not form.validate():
            problems = "; ".join(m for name, msgs in form.errors.items() for m in msgs)
            flash(f"Not sent. {problems or 'The form expired; please try again.'}", "error")
            return self._details(ticket_id)
        try:
            support.reply_to_ticket(ticket_id, form.body.data, current_user.id)
        except StoreError as exc:
            flash(f"Not sent. {exc.message}", "error")
        else:
            flash("Reply sent to the customer and kept on the ticket.", "success")
        return self._details(ticket_id)

    @expose("/<int:ticket_id>/status", methods=("POST",))
    def status_view(self, ticket_id):
        """Mark one ticket open, answered or closed."""
        form = TicketStatusForm()
        if not form.validate():
            flash("Nothing changed: unknown status or the form expired.", "error")
            return self._details(ticket_id)
        try:
            ticket = support.set_status(ticket_id, form.status.data, current_user.id)
        except StoreError as exc:
            flash(exc.message, "error")
        else:
            flash(f"Ticket #{ticket.id} is {ticket.status}.", "success")
        return self._details(ticket_id)

    def _bulk_status(self, ids, status: str) -> None:
        done = 0
        for ticket_id in ids:
            try:
                support.set_status(int(ticket_id), status, current_user.id)
                done += 1
            except StoreError as exc:
                flash(f"Ticket #{ticket_id}: {exc.message}", "error")
        if done:
            flash(f"{done} ticket(s) marked {status}.", "success")

    @action("close", "Close", "Close the selected tickets?")
    def action_close(self, ids):
        """Close the selected tickets."""
        self._bulk_status(ids, "closed")

    @action("reopen", "Reopen", "Reopen the selected tickets?")
    def action_reopen(self, ids):
        """Reopen the selected tickets."""
        self._bulk_status(ids, "open")


def register_support_views(admin) -> None:
    """Add support tickets to the back office."""
    admin.add_view(SupportTicketAdmin(SupportTicket, db, name="Support tickets",
                                      endpoint="supportticket", category="Messages"))
