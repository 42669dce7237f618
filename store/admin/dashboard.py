"""The admin index: the dashboard."""

from flask_admin import AdminIndexView, expose

from store.admin.gate import PermissionGate, has_permission
from store.reports import services as reports


class DashboardView(PermissionGate, AdminIndexView):
    """Figures for the day: revenue, orders to ship, low stock, top products."""

    permission = "admin-access"

    @expose("/")
    def index(self):
        """Revenue, orders by status, orders to ship, low stock and best sellers."""
        figures = reports.dashboard()
        return self.render("admin/dashboard.html", figures=figures,
                           chart=reports.revenue_chart(figures.daily),
                           can_orders=has_permission("orders-read"),
                           can_inventory=has_permission("inventory-manage"))
