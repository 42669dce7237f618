"""The storefront blueprint: catalog, cart, checkout, orders, account and support pages."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

# Route modules register themselves on the blueprint.
from store.storefront import catalog  # noqa: E402,F401
