"""The storefront blueprint: catalog, cart, checkout, orders, account and support pages."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

# Route modules register themselves on the blueprint.
from store.storefront import (  # noqa: E402,F401
    cart,
    catalog,  # noqa: E402,F401
    checkout,
    orders,
    support,
)
