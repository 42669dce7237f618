"""SQLAlchemy models, one module per domain; importing this package registers them all."""

from store.models import analytics  # noqa: F401  (registers the analytics tables)
from store.models.audit import AuditEvent
from store.models.cart import Cart, CartLine
from store.models.catalog import Category, Product, ProductImage, Variant
from store.models.discounts import DiscountCode, DiscountUse
from store.models.inventory import StockMovement
from store.models.notifications import EmailMessage
from store.models.orders import Order, OrderEvent, OrderLine, OrderNote, ProcessedWebhook
from store.models.pages import Page
from store.models.pricing import TaxRate
from store.models.refunds import DocumentSequence, Invoice, Refund, RefundLine
from store.models.rollups import OrderRollup, ProductSalesRollup, SalesWindow, SalesWindowStart
from store.models.settings import StoreSettings
from store.models.shipping import ShippingBand, ShippingMethod, ShippingZone
from store.models.support import SupportReply, SupportTicket
from store.models.users import Address, Role, User, WebAuthn

__all__ = [
    "Address",
    "AuditEvent",
    "Cart",
    "CartLine",
    "Category",
    "DiscountCode",
    "DocumentSequence",
    "DiscountUse",
    "EmailMessage",
    "Invoice",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderNote",
    "OrderRollup",
    "Page",
    "ProcessedWebhook",
    "Product",
    "ProductImage",
    "ProductSalesRollup",
    "Refund",
    "RefundLine",
    "Role",
    "SalesWindow",
    "SalesWindowStart",
    "ShippingBand",
    "ShippingMethod",
    "ShippingZone",
    "StockMovement",
    "StoreSettings",
    "SupportReply",
    "SupportTicket",
    "TaxRate",
    "User",
    "Variant",
    "WebAuthn",
]
