"""The back office: Flask-Admin views on the shared models, behind the permission gate."""

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from store.admin.dashboard import DashboardView
from store.admin.views import register_views
from store.web import csp_nonce


def init_admin(app) -> Admin:
    """Create the Admin for this app (one per app, so test apps share no state)."""
    admin = Admin(
        app,
        name=app.config["STORE_NAME"],
        theme=Bootstrap4Theme(base_template="admin/store_base.html", fluid=True),
        index_view=DashboardView(name="Dashboard", url="/admin", endpoint="admin"),
        csp_nonce_generator=csp_nonce,
    )
    register_views(admin, app)
    return admin
