"""Inventory: the stock ledger (the only code that changes stock) and low-stock alerts."""
