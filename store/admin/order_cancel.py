"""Back-office orders: the page that asks before an order is cancelled.

The detail page's "Cancel" button leads here (GET, changes nothing); the page shows the order,
its lines and that their stock goes back, and its "Confirm cancellation" form posts to the
order view's status form, so the cancel itself still runs through store.orders.services.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_admin import expose

from store.orders import services as orders


class CancelConfirmation:
    """Mixed into OrderAdmin: GET /admin/order/<id>/cancel (needs `orders-manage`)."""

    @expose("/<int:order_id>/cancel")
    def cancel_view(self, order_id):
        """Ask before cancelling one order: what it holds and that its stock returns."""
        order = self.get_one(order_id)
        if order is None:
            flash("There is no such order.", "error")
            return redirect(url_for(".index_view"))
        if "cancelled" not in orders.allowed_transitions(order):
            flash(f"Nothing changed: order {order.number} is {order.status} and cannot be "
                  "cancelled.", "error")
            return redirect(url_for(".details_view", id=order.id))
        return self.render("admin/order/cancel.html", order=order,
                           details_url=url_for(".details_view", id=order.id))
