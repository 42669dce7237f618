"""The admin index: the dashboard."""

from flask_admin import AdminIndexView, expose

from store.admin.gate import PermissionGate, has_permission
from store.reports import services as reports


class DashboardView(PermissionGate, AdminIndexView):
    """Figures for the day: revenue, orders to ship, low stock, top products."""

    permission = "admin-access"

    @expose("/")
    def index(self):
        """Revenue, orders by status, orders to ship, low stock and best sellers.

        Revenue and customer emails need reports-read; without it, the operational parts.
        """
        can_reports = has_permission("reports-read")
        figures = reports.dashboard(revenue=can_reports)
        return self.render("admin/dashboard.html", figures=figures,
                           can_reports=can_reports,
                           chart=reports.revenue_chart(figures.daily) if can_reports else None,
                           can_orders=has_permission("orders-read"),
                           can_inventory=has_permission("inventory-manage"))
