"""The storefront: catalog, cart, checkout, orders, account and support pages."""

# Importing the route modules registers their views on the blueprint.
from store.storefront import account, cart, catalog, checkout, orders, pages, support  # noqa: F401
from store.storefront.blueprint import bp

__all__ = ["bp"]
