"""The storefront: catalog, cart, checkout, orders, account and support pages."""

# Importing the route modules registers their views on the blueprint.
from store.storefront import (  # noqa: F401
    account,
    account_addresses,
    account_deletion,
    assets,
    cart,
    catalog,
    checkout,
    checkout_quote,
    invoices,
    media,
    orders,
    pages,
    search_suggest,
    seo,
    support,
)
from store.storefront.blueprint import bp

__all__ = ["bp"]
