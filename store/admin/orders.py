"""Back-office orders: list, detail with timeline, notes and documents, status actions, packing
slip, CSV.

Refunds (the Refund card and its confirmation) live in store.admin.refunds.

Status changes go only through store.orders.services.transition() (one order at a time, each in its
own transaction): from the detail page's buttons and from the list's bulk actions. Orders
are never created, edited or deleted as raw rows here.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from store import payments
from store.admin.base import StoreModelView
from store.admin.export import stream_export_rows
from store.admin.order_cancel import CancelConfirmation
from store.admin.order_columns import (
    STATUS_OPTIONS,
    CreatedBetweenFilter,
    CreatedFromFilter,
    CreatedUntilFilter,
    customer_column,
    money_badges,
    money_column,
    number_link,
    search_orders,
    short_datetime,
    status_badge,
    status_column,
)
from store.admin.refunds import (
    REFUND_VIEWS,
    RefundForm,
    RefundViews,
    order_timeline,
    refund_state,
)
from store.errors import StoreError
from store.extensions import db
from store.models import Order, OrderEvent, OrderNote, Refund, RefundLine
from store.models.refunds import Invoice
from store.orders import carriers, invoice_pdf, invoices
from store.orders import services as orders

# What each status action is called on buttons, and what it says once done.
ACTIONS = {
    "paid": ("Mark paid", "marked paid"),
    "shipped": ("Ship", "shipped"),
    "delivered": ("Mark delivered", "marked delivered"),
    "cancelled": ("Cancel", "cancelled (stock returned)"),
}
# `refunded` is reached only through refunds (store.admin.refunds), never by a button.
PAYMENT_METHODS = [("manual", "Manual (bank transfer / on delivery)"), ("stripe", "Stripe")]
CARRIER_CHOICES = carriers.CHOICES


# -- forms -------------------------------------------------------------------------------------


class StatusForm(FlaskForm):
    """Move one order to another status (with carrier and tracking number when shipping)."""

    target = HiddenField(validators=[DataRequired()])
    note = StringField("Note for the timeline", validators=[Optional(), Length(max=500)])
    carrier = SelectField("Carrier", choices=[("", "Choose a carrier")] + CARRIER_CHOICES,
                          default="")
    tracking_number = StringField("Tracking number", validators=[Optional(), Length(max=80)])


class NoteForm(FlaskForm):
    """An internal note on an order (customers never see it)."""

    body = TextAreaField("Internal note", validators=[DataRequired(), Length(max=5000)])


class BulkShipForm(FlaskForm):
    """The CSRF token of the bulk shipping form; the per-order fields are read by name."""

    ids = HiddenField(validators=[DataRequired()])


# -- the view ----------------------------------------------------------------------------------


class OrderAdmin(CancelConfirmation, RefundViews, StoreModelView):
    """Orders: find, inspect and move them through their statuses."""

    permission = "orders-read"
    write_permission = "orders-manage"
    export_permission = "orders-read"
    view_permissions = {
        "status_view": "orders-manage",
        "cancel_view": "orders-manage",
        "note_view": "orders-manage",
        "ship_bulk_view": "orders-manage",
        "packing_slip_view": "orders-read",
        "document_view": "orders-read",
        **REFUND_VIEWS,
    }
    audit = True

    can_create = False
    can_edit = False
    can_delete = False
    can_export = True
    can_view_details = True
    details_template = "admin/order/details.html"

    column_list = ("number", "created_at", "user", "full_name", "status", "payment_method",
                   "total")
    column_labels = {"number": "Order", "created_at": "Placed (UTC)", "user": "Customer",
                     "full_name": "Ship to", "payment_method": "Payment"}
    column_sortable_list = ("number", "created_at", "status", "total")
    column_default_sort = [("created_at", True), ("id", True)]
    column_searchable_list = ("number", "email")
    named_filter_urls = True
    column_filters = (
        FilterEqual(Order.status, "Status", options=STATUS_OPTIONS),
        CreatedBetweenFilter(Order.created_at, "Created"),
        CreatedFromFilter(Order.created_at, "Created"),
        CreatedUntilFilter(Order.created_at, "Created"),
        FilterEqual(Order.payment_method, "Payment method", options=PAYMENT_METHODS),
        FilterEqual(Order.email, "Customer email"),
        FilterLike(Order.email, "Customer email"),
    )
    column_formatters = {
        "number": number_link,
        "status": status_column,
        "total": money_column,
        "user": customer_column,
        "created_at": short_datetime,
    }
    column_export_list = ("number", "created_at", "status", "email", "full_name",
                          "address_line1", "address_line2", "postal_code", "city", "country",
                          "phone", "shipping_method", "payment_method", "currency", "subtotal",
                          "shipping_cost", "total", "carrier", "tracking_number", "paid_at",
                          "shipped_at", "delivered_at", "cancelled_at", "refunded_at")
    column_formatters_export = {}

    # -- queries -------------------------------------------------------------------------------

    def get_query(self):
        """Orders with their customer account joined in the same query."""
        return super().get_query().options(joinedload(Order.user))

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """Number or email prefixes, through their indexes (order_columns.search_orders)."""
        return (*search_orders(query, count_query, search), joins, count_joins)

    def _export_data(self):
        return None, stream_export_rows(self, audited=True)

    def get_one(self, id):
        """One order with everything its detail page shows, loaded up front."""
        try:
            order_id = int(id)
        except (TypeError, ValueError):
            return None
        return db.session.scalar(
            select(Order).where(Order.id == order_id).options(
                joinedload(Order.user),
                selectinload(Order.lines),
                selectinload(Order.events).joinedload(OrderEvent.user),
                selectinload(Order.notes).joinedload(OrderNote.user),
                selectinload(Order.refunds).joinedload(Refund.user),
                selectinload(Order.refunds).selectinload(Refund.lines)
                .joinedload(RefundLine.order_line)))

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            order = kwargs["model"]
            can_manage = self.is_action_allowed("mark_paid")
            kwargs.update(
                allowed=[t for t in orders.allowed_transitions(order) if t in ACTIONS],
                actions=ACTIONS,
                status_form=StatusForm(formdata=None),
                note_form=NoteForm(formdata=None),
                can_manage=can_manage,
                refund=refund_state(order) if can_manage else None,
                provider_by_hand=getattr(payments.provider_for(order), "refunds_by_hand", False),
                refund_form=RefundForm(formdata=None),
                timeline=order_timeline(order),
                tracking_url=carriers.tracking_url(order.carrier, order.tracking_number),
                documents=invoices.documents_of(order),
            )
        kwargs.setdefault("status_badge", status_badge)
        kwargs.setdefault("money_badges", money_badges)
        return super().render(template, **kwargs)

    # -- one order -----------------------------------------------------------------------------

    def _details_url(self, order_id: int) -> str:
        return url_for(".details_view", id=order_id)

    def change_status(self, order_id: int, target: str, *, note: str = "",
                      carrier: str | None = None, tracking_number: str | None = None) -> Order:
        """Run one transition through the order service, which also writes the audit row."""
        return orders.transition(order_id, target, actor=current_user, note=note,
                                 carrier=carrier, tracking_number=tracking_number)

    @expose("/<int:order_id>/status", methods=("POST",))
    def status_view(self, order_id):
        """Change one order's status from its detail page."""
        form = StatusForm()
        if not form.validate():
            errors = "; ".join(f"{form[name].label.text}: {', '.join(msgs)}"
                               for name, msgs in form.errors.items() if name != "csrf_token")
            flash(f"Nothing changed. {errors or 'The form expired; please try again.'}",
                  "error")
            return redirect(self._details_url(order_id))
        target = form.target.data
        if target not in ACTIONS:
            flash("Nothing changed: refunds are made with the Refund form, which sends the "
                  "money back.", "error")
            return redirect(self._details_url(order_id))
        try:
            order = self.change_status(order_id, target, note=form.note.data or "",
                                       carrier=form.carrier.data or None,
                                       tracking_number=form.tracking_number.data or None)
        except StoreError as exc:
            db.session.rollback()
            flash(f"Nothing changed: {exc.message}", "error")
        else:
            flash(f"Order {order.number} {ACTIONS[target][1]}.", "success")
        return redirect(self._details_url(order_id))

    @expose("/<int:order_id>/notes", methods=("POST",))
    def note_view(self, order_id):
        """Add an internal note to an order."""
        form = NoteForm()
        if not form.validate():
            flash("The note was not saved: write something first.", "error")
            return redirect(self._details_url(order_id))
        try:
            orders.add_note(order_id, form.body.data, user_id=current_user.id)
        except StoreError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash("Note added (visible to staff only).", "success")
        return redirect(self._details_url(order_id) + "#notes")

    @expose("/<int:order_id>/packing-slip")
    def packing_slip_view(self, order_id):
        """A printable packing slip for the parcel: address, lines, SKUs, quantities; no prices."""
        order = self.get_one(order_id)
        if order is None:
            flash("There is no such order.", "error")
            return redirect(url_for(".index_view"))
        return self.render("admin/order/packing_slip.html", order=order)

    @expose("/<int:order_id>/documents/<int:document_id>.pdf")
    def document_view(self, order_id, document_id):
        """One of the order's invoices or credit notes as PDF."""
        document = db.session.get(Invoice, document_id)
        if document is None or document.order_id != order_id:
            abort(404)
        response = Response(invoice_pdf.render(document), mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{invoice_pdf.filename(document)}"')
        response.headers["Cache-Control"] = "private, no-store"
        return response

    # -- bulk actions --------------------------------------------------------------------------

    def _bulk(self, ids, target: str) -> None:
        """Apply one transition to each selected order; report which ones failed and why."""
        done, failed = [], []
        for order_id in _int_ids(ids):
            try:
                order = self.change_status(order_id, target)
            except StoreError as exc:
                db.session.rollback()
                failed.append(_failure(order_id, exc))
            else:
                done.append(order.number)
        _report(ACTIONS[target][1], done, failed)

    @action("mark_paid", "Mark paid", "Mark the selected orders as paid?")
    def action_mark_paid(self, ids):
        """Mark the selected orders paid."""
        self._bulk(ids, "paid")

    @action("ship", "Ship (asks for tracking numbers)")
    def action_ship(self, ids):
        """Open the form that ships the selected orders with carrier and tracking numbers."""
        return redirect(url_for(".ship_bulk_view", ids=",".join(str(i) for i in _int_ids(ids))))

    @action("mark_delivered", "Mark delivered", "Mark the selected orders as delivered?")
    def action_mark_delivered(self, ids):
        """Mark the selected orders delivered."""
        self._bulk(ids, "delivered")

    @action("cancel", "Cancel (returns stock)",
            "Cancel the selected orders and return their stock?")
    def action_cancel(self, ids):
        """Cancel the selected orders; their stock goes back on the shelf."""
        self._bulk(ids, "cancelled")

    @expose("/ship/", methods=("GET", "POST"))
    def ship_bulk_view(self):
        """Ship several orders: a carrier and a tracking number for each."""
        raw = request.values.get("ids", "")
        ids = _int_ids(raw.split(","))[:50]
        if not ids:
            flash("Select the orders to ship first.", "error")
            return redirect(url_for(".index_view"))
        form = BulkShipForm(ids=",".join(map(str, ids)))
        if request.method == "POST":
            if not form.validate():
                flash("The form expired; please try again.", "error")
                return redirect(url_for(".ship_bulk_view", ids=form.ids.data))
            done, failed = [], []
            for order_id in ids:
                carrier = request.form.get(f"carrier-{order_id}", "")
                if carrier and carrier not in carriers.CARRIERS:
                    carrier = ""
                try:
                    order = self.change_status(
                        order_id, "shipped", carrier=carrier,
                        tracking_number=request.form.get(f"tracking-{order_id}", ""))
                except StoreError as exc:
                    db.session.rollback()
                    failed.append(_failure(order_id, exc))
                else:
                    done.append(order.number)
            _report("shipped", done, failed)
            return redirect(url_for(".index_view"))
        selected = list(db.session.scalars(
            select(Order).where(Order.id.in_(ids)).order_by(Order.created_at)))
        return self.render("admin/order/ship.html", orders=selected, form=form,
                           carriers=CARRIER_CHOICES, return_url=url_for(".index_view"))


def _int_ids(ids) -> list[int]:
    result = []
    for value in ids:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(result))


def _failure(order_id: int, exc: StoreError) -> str:
    """Why one order of a bulk action did not change, naming the order."""
    number = db.session.scalar(select(Order.number).where(Order.id == order_id))
    if number is None:
        return f"Order #{order_id}: there is no such order."
    return exc.message if number in exc.message else f"{number}: {exc.message}"


def _report(what: str, done: list[str], failed: list[str]) -> None:
    """Flash what a bulk action did, and each order it could not change with the reason."""
    if done:
        flash(f"{len(done)} order(s) {what}: {', '.join(done)}.", "success")
    if failed:
        flash(Markup("{} order(s) not changed:<ul>{}</ul>").format(
            len(failed), Markup("").join(Markup("<li>{}</li>").format(m) for m in failed)),
            "error")
    if not done and not failed:
        flash("No orders were selected.", "warning")


def register_order_views(admin) -> None:
    """Add the orders view to the admin."""
    admin.add_view(OrderAdmin(Order, db, name="Orders", endpoint="order", category=None))
