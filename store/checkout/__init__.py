"""Checkout: placing an order in one transaction, and expiring unpaid orders."""
