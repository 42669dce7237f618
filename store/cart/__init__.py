"""Carts: lines, the quantity cap, stock checks while shopping, totals."""
