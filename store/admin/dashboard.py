"""The admin index: the dashboard."""

from flask_admin import AdminIndexView, expose

from store.admin.gate import PermissionGate


class DashboardView(PermissionGate, AdminIndexView):
    """Figures for the day: revenue, orders to ship, low stock, top products."""

    permission = "admin-access"

    @expose("/")
    def index(self):
        return self.render("admin/dashboard.html")
