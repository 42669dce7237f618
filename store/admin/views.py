"""Model views of the back office.

Each area registers its own views from its own module, one function per area, so that
areas can be added without touching each other's code.
"""

from store.admin.analytics import register_analytics_views
from store.admin.audit import register_audit_views
from store.admin.catalog import register_catalog_views
from store.admin.csv_import import register_import_views
from store.admin.customers import register_customer_views
from store.admin.discounts import register_discount_views
from store.admin.inventory import register_inventory_views
from store.admin.orders import register_order_views
from store.admin.outbox import register_outbox_views
from store.admin.pages import register_page_views
from store.admin.pricing import register_pricing_views
from store.admin.settings import register_settings_views
from store.admin.shipping import register_shipping_views
from store.admin.support import register_support_views
from store.admin.users import register_user_views


def register_views(admin, app) -> None:
    """Add every model view to the admin."""
    # Catalog, inventory, import and the audit log.
    register_catalog_views(admin)
    register_inventory_views(admin)
    register_import_views(admin)
    register_audit_views(admin)
    # Orders, customers, users and roles.
    register_order_views(admin)
    register_customer_views(admin)
    register_user_views(admin)
    # Outbox and support tickets.
    register_outbox_views(admin)
    register_support_views(admin)
    register_pricing_views(admin)
    register_shipping_views(admin)
    register_settings_views(admin)
    register_discount_views(admin)
    register_page_views(admin)
    register_analytics_views(admin)
