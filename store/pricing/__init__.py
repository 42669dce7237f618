"""Pricing: every money rule of an order beyond the catalog price (shipping today)."""
