"""Back-office customers: who buys, how much, and their GDPR export and erasure.

Staff read customers (customers-read); the CSV export, the GDPR export and erasing personal
data need customers-manage, which only owners hold by default.
"""

from __future__ import annotations

import json

from flask import Response, flash, redirect, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BooleanEqualFilter, FilterEqual, FilterLike
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import DataRequired

from store.accounts import customers
from store.accounts.masking import pii_email
from store.admin.base import StoreModelView
from store.admin.export import stream_export_rows
from store.admin.gate import has_permission
from store.admin.order_columns import status_badge
from store.errors import StoreError
from store.extensions import db
from store.i18n import money
from store.models import Order, Role, User

RECENT_ORDERS = 50


class ExportForm(FlaskForm):
    """Download everything stored about a customer (a POST, so it is logged and CSRF-safe)."""


class EraseForm(FlaskForm):
    """Erase a customer's personal data; the email must be typed to confirm."""

    confirm = StringField("Type the customer's email address to confirm",
                          validators=[DataRequired()])


def _is_customer():
    """Users holding the customer role.

    An IN over the role's members, not EXISTS per user: Flask-Security's roles_users table
    has no index, so a correlated EXISTS would scan it once per user.
    """
    roles_users = User.roles.property.secondary
    members = (select(roles_users.c.user_id)
               .join(Role, Role.id == roles_users.c.role_id)
               .where(Role.name == "customer"))
    return User.id.in_(members)


def _stats(model) -> customers.CustomerStats:
    return getattr(model, "_store_stats", None) or customers.CustomerStats()


def _with_stats(rows, batch: int = 500):
    """Attach order statistics to users, one aggregate query per batch of rows."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            yield from _attach(chunk)
            chunk = []
    yield from _attach(chunk)


def _attach(users):
    stats = customers.customer_stats(u.id for u in users)
    for user in users:
        user._store_stats = stats.get(user.id, customers.CustomerStats())
    return users


def _format_value(_view, _context, model, _name):
    return money(_stats(model).lifetime_value)


def _format_count(_view, _context, model, _name):
    return _stats(model).order_count


def _format_last(_view, _context, model, _name):
    last = _stats(model).last_order_at
    return last.strftime("%Y-%m-%d") if last else ""


def _format_email(_view, _context, model, _name):
    if model.erased_at:
        return Markup('{} <span class="badge badge-secondary">erased</span>').format(model.email)
    return Markup('<a href="{}">{}</a>').format(url_for(".details_view", id=model.id),
                                                pii_email(model.email))


class CustomerAdmin(StoreModelView):
    """Customers with their order count, lifetime value and last order date."""

    permission = "customers-read"
    write_permission = "customers-manage"
    # A file of every customer's personal data leaves the shop: owners only by default.
    export_permission = "customers-manage"
    view_permissions = {"gdpr_export_view": "customers-manage",
                        "erase_view": "customers-manage"}

    can_create = False
    can_edit = False
    can_delete = False
    can_export = True
    can_view_details = True
    details_template = "admin/customer/details.html"

    column_list = ("email", "full_name", "order_count", "lifetime_value", "last_order_at",
                   "create_datetime", "active")
    column_labels = {"full_name": "Name", "order_count": "Orders",
                     "lifetime_value": "Lifetime value", "last_order_at": "Last order",
                     "create_datetime": "Registered"}
    column_sortable_list = ("email", "full_name", "create_datetime")
    column_default_sort = [("create_datetime", True), ("id", True)]
    column_searchable_list = ("email", "full_name")
    named_filter_urls = True
    column_filters = (
        FilterEqual(User.email, "Email"),
        FilterLike(User.email, "Email"),
        BooleanEqualFilter(User.active, "Active"),
    )
    column_formatters = {
        "email": _format_email,
        "order_count": _format_count,
        "lifetime_value": _format_value,
        "last_order_at": _format_last,
    }
    column_export_list = ("id", "email", "full_name", "order_count", "lifetime_value",
                          "last_order_at", "create_datetime", "active", "erased_at")
    column_formatters_export = {
        "order_count": lambda v, c, m, n: _stats(m).order_count,
        "lifetime_value": lambda v, c, m, n: str(_stats(m).lifetime_value),
        "last_order_at": lambda v, c, m, n: (_stats(m).last_order_at.isoformat()
                                             if _stats(m).last_order_at else ""),
    }

    # -- queries -------------------------------------------------------------------------------

    def get_query(self):
        """Users holding the customer role."""
        return super().get_query().filter(_is_customer())

    def get_count_query(self):
        return super().get_count_query().filter(_is_customer())

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        """The page of customers, then their statistics in one aggregate query."""
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters,
                                       execute=execute, page_size=page_size)
        if execute:
            _attach(rows)
        return count, rows

    def _export_data(self):
        return None, _with_stats(stream_export_rows(self, audited=True))

    def get_one(self, id):
        try:
            user_id = int(id)
        except (TypeError, ValueError):
            return None
        user = db.session.scalar(
            select(User).where(User.id == user_id, _is_customer())
            .options(selectinload(User.addresses)))
        if user is not None:
            _attach([user])
        return user

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            user = kwargs["model"]
            recent = list(db.session.scalars(
                select(Order).where(Order.user_id == user.id)
                .order_by(Order.created_at.desc(), Order.id.desc()).limit(RECENT_ORDERS)))
            guest_orders = db.session.scalar(
                select(func.count(Order.id)).where(
                    Order.user_id.is_(None), func.lower(Order.email) == user.email.lower()))
            kwargs.update(stats=_stats(user), recent_orders=recent,
                          guest_orders=guest_orders, status_badge=status_badge,
                          can_manage=self.can_manage(), export_form=ExportForm(formdata=None),
                          erase_form=EraseForm(formdata=None))
        return super().render(template, **kwargs)

    def can_manage(self) -> bool:
        """Whether the current user may export and erase customer data."""
        return has_permission(self.write_permission)

    # -- GDPR ----------------------------------------------------------------------------------

    @expose("/<int:user_id>/export", methods=("POST",))
    def gdpr_export_view(self, user_id):
        """Download everything stored about one customer as JSON (logged in the audit log)."""
        form = ExportForm()
        if not form.validate() or self.get_one(user_id) is None:
            flash("The export was not made: the form expired or the customer is gone.",
                  "error")
            return redirect(url_for(".index_view"))
        try:
            data = customers.export_customer(user_id, actor=current_user)
        except StoreError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for(".index_view"))
        body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f"attachment; filename=customer-{user_id}.json",
            "Cache-Control": "no-store",
        })

    @expose("/<int:user_id>/erase", methods=("POST",))
    def erase_view(self, user_id):
        """Erase one customer's personal data (orders and their totals stay for the books)."""
        details = url_for(".details_view", id=user_id)
        form = EraseForm()
        user = self.get_one(user_id)
        if user is None:
            flash("There is no such customer.", "error")
            return redirect(url_for(".index_view"))
        if not form.validate() or form.confirm.data.strip().lower() != user.email.lower():
            flash("Nothing was erased: type the customer's email address to confirm.", "error")
            return redirect(details)
        try:
            customers.erase_customer(user_id, actor=current_user)
        except StoreError as exc:
            db.session.rollback()
            flash(f"Nothing was erased: {exc.message}", "error")
        else:
            flash(f"Customer {user_id}'s personal data was erased; their orders remain for "
                  "the books.", "success")
        return redirect(details)


def register_customer_views(admin) -> None:
    """Add the customers view to the admin."""
    admin.add_view(CustomerAdmin(User, db, name="Customers", endpoint="customer"))
