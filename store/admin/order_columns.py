"""Columns and filters of the back-office order list, and the status badge.

The badge is also shown on the customer pages; its words are the shop's status labels
(store.orders.status), so the back office and the storefront call a status the same.
"""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_admin.contrib.sqla.filters import DateBetweenFilter, FilterEqual
from flask_admin.model.filters import BaseDateFilter
from markupsafe import Markup, escape
from sqlalchemy import and_, or_

from store.accounts.masking import pii_email
from store.i18n import money
from store.models import Order
from store.orders.status import LABELS, STATUSES, status_label
from store.reports.services import day_start

# -- search ------------------------------------------------------------------------------------


def starts_with(column, text: str):
    """SQL: `column` starts with `text`, as a range an index on the column answers."""
    return and_(column >= text, column < text + "\U0010ffff")


def search_orders(query, count_query, search: str):
    """The list's search: every word is the start of an order number or of an email.

    Prefix ranges instead of Flask-Admin's ILIKE '%word%', so a million orders are searched
    through the indexes on `number` and `email`; numbers match in capitals, emails as typed
    and in lower case.
    """
    for word in search.split():
        clause = or_(starts_with(Order.number, word.upper()), starts_with(Order.email, word),
                     starts_with(Order.email, word.lower()))
        query = query.filter(clause)
        if count_query is not None:
            count_query = count_query.filter(clause)
    return query, count_query


# -- filters -----------------------------------------------------------------------------------


class CreatedBetweenFilter(DateBetweenFilter):
    """Orders created from the first UTC day through the last, both whole days."""

    def apply(self, query, value, alias=None):
        start, end = value
        column = self.get_column(alias)
        return query.filter(column >= day_start(start),
                            column < day_start(end + timedelta(days=1)))


class CreatedFromFilter(FilterEqual, BaseDateFilter):
    """Orders created on or after a UTC day."""

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) >= day_start(value))

    def operation(self):
        return "on or after"


class CreatedUntilFilter(FilterEqual, BaseDateFilter):
    """Orders created on or before a UTC day."""

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) < day_start(value + timedelta(days=1)))

    def operation(self):
        return "on or before"


# -- formatting --------------------------------------------------------------------------------


# Bootstrap badge colour per status.
BADGES = {"pending": "warning", "paid": "info", "shipped": "primary", "delivered": "success",
          "cancelled": "secondary", "refunded": "dark"}


# The list's status filter, with each status's label.
STATUS_OPTIONS = [(status, LABELS[status]) for status in STATUSES]


def status_badge(status: str) -> Markup:
    """An order status as a coloured badge, with the status's label."""
    return Markup('<span class="badge badge-status badge-{} status-{}">{}</span>').format(
        BADGES.get(status, "light"), status, status_label(status))


def money_badges(order) -> Markup:
    """"Partially refunded" while 0 < refunded < total; a red "Disputed" while disputed."""
    badges = Markup("")
    refunded = order.refunded_total or 0
    if 0 < refunded < order.total:
        badges += Markup(' <span class="badge badge-warning badge-partial-refund">'
                         "Partially refunded</span>")
    if order.dispute_status:
        closed = order.dispute_status in ("won", "lost", "warning_closed")
        badges += Markup(' <span class="badge {} badge-dispute" title="Stripe dispute: {}">'
                         "{}</span>").format("badge-secondary" if closed else "badge-danger",
                                             order.dispute_status,
                                             f"Dispute {order.dispute_status}" if closed
                                             else "Disputed")
    return badges


def status_column(_view, _context, model, _name):
    """The list column: the order's status badge, and its refund and dispute badges."""
    return status_badge(model.status) + money_badges(model)


def number_link(view, _context, model, _name):
    """The list column: the order number, linked to its detail page.

    `data-row-label` lets a bulk action's confirmation name the selected orders.
    """
    url = url_for(".details_view", id=model.id)
    return Markup('<a href="{}" data-row-label="{}">{}</a>').format(url, model.number,
                                                                   model.number)


def money_column(_view, _context, model, name):
    """A money column in the order's currency."""
    return money(getattr(model, name), model.currency)


def customer_column(_view, _context, model, _name):
    """The customer's email, marked when the order was placed as a guest."""
    label = escape(pii_email(model.email))
    if model.user is None:
        return Markup("{} <small class='text-muted'>(guest)</small>").format(label)
    return label


def short_datetime(_view, _context, model, name):
    """A timestamp to the minute (UTC)."""
    value = getattr(model, name)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
