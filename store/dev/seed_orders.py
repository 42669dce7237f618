"""Synthetic orders with lines, in bulk, for benchmarks (`flask seed --orders N`).

They are history: they do not touch stock and send no email.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, insert, select

from store.errors import ValidationFailed
from store.extensions import db
from store.models import Order, OrderEvent, OrderLine, Product, User, Variant
from store.models.base import utcnow
from store.orders.services import STAMPS, new_order_number
from store.pricing.shipping import shipping_cost

# Mostly finished orders, as in a shop that has been running for a while.
STATUS_WEIGHTS = {"delivered": 50, "shipped": 10, "paid": 10, "pending": 10, "cancelled": 15,
                  "refunded": 5}
CITIES = (("Madrid", "28001", "ES"), ("Lisboa", "1100-148", "PT"), ("Lyon", "69001", "FR"),
          ("Berlin", "10115", "DE"), ("Bristol", "BS1 4DJ", "GB"), ("Torino", "10121", "IT"))


@dataclass(frozen=True)
class _Pool:
    """What every synthetic order draws from."""

    variants: list
    customers: list[int]
    currency: str
    now: datetime


def seed_orders(n: int, progress=None, batch: int = 1000, seed: int | None = None) -> int:
    """Add n synthetic orders (1 to 4 lines each, spread over the last year). Commits."""
    if n <= 0:
        return 0
    rng = random.Random(seed if seed is not None else n)
    variants = db.session.execute(
        select(Variant.id, Variant.sku, Variant.options, Product.name,
               func.coalesce(Variant.price_override, Product.price))
        .join(Product, Product.id == Variant.product_id).order_by(Variant.id)
    ).all()
    if not variants:
        raise ValidationFailed("Add products first (flask seed --products N).")
    pool = _Pool(variants=variants,
                 customers=list(db.session.scalars(select(User.id).order_by(User.id).limit(200))),
                 currency=current_app.config["STORE_CURRENCY"], now=utcnow())
    numbers = set(db.session.scalars(select(Order.number)))
    done = 0
    while done < n:
        size = min(batch, n - done)
        made = [_fake_order(rng, pool, done + i, _unique_number(numbers)) for i in range(size)]
        _insert_batch([row for row, _lines in made], [lines for _row, lines in made])
        db.session.commit()
        done += size
        if progress:
            progress(size)
    return done


def _unique_number(taken: set[str]) -> str:
    """A new order number not in `taken` (which it joins)."""
    number = new_order_number()
    while number in taken:
        number = new_order_number()
    taken.add(number)
    return number


def _fake_order(rng: random.Random, pool: _Pool, index: int, number: str
                ) -> tuple[dict, list[tuple[tuple, int]]]:
    """One order row (ready for a bulk insert) and its (variant row, quantity) lines."""
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    status = rng.choices(statuses, weights)[0]
    created = pool.now - timedelta(minutes=rng.randint(5, 365 * 24 * 60))
    chosen = rng.sample(pool.variants, k=min(len(pool.variants), rng.randint(1, 4)))
    lines = [(v, rng.randint(1, 3)) for v in chosen]
    subtotal = sum((Decimal(v[4]) * q for v, q in lines), Decimal("0.00"))
    method = rng.choice(("standard", "standard", "express"))
    cost = shipping_cost(method, subtotal)
    city, postal, country = rng.choice(CITIES)
    customers = pool.customers
    user_id = rng.choice(customers) if customers and rng.random() < 0.4 else None
    row = {
        "number": number, "checkout_token": None, "user_id": user_id,
        "email": f"buyer{index}@example.com", "status": status, "locale": "en",
        "currency": pool.currency, "full_name": f"Buyer {index}",
        "address_line1": f"{rng.randint(1, 200)} Market Street", "address_line2": "",
        "city": city, "postal_code": postal, "country": country, "phone": "",
        "shipping_method": method, "payment_method": "manual",
        "payment_reference": None, "subtotal": subtotal, "shipping_cost": cost,
        "total": subtotal + cost, "created_at": created, "updated_at": created,
        "payment_due_at": None,
    }
    for stamp in STAMPS.values():
        row[stamp] = None
    if status != "pending":
        row[STAMPS[status]] = created + timedelta(hours=1)
    if status in ("shipped", "delivered"):
        row.update(carrier="correos", tracking_number=f"PK{rng.randint(10**9, 10**10)}")
    else:
        row.update(carrier=None, tracking_number=None)
    return row, lines


def _insert_batch(orders: list[dict], pending_lines: list[list[tuple[tuple, int]]]) -> None:
    """Insert a batch of order rows with their lines and status events. Does not commit."""
    ids = db.session.scalars(
        insert(Order).returning(Order.id, sort_by_parameter_order=True), orders).all()
    line_rows, event_rows = [], []
    for order_id, row, lines in zip(ids, orders, pending_lines, strict=True):
        for (variant_id, sku, options, name, price), quantity in lines:
            line_rows.append({
                "order_id": order_id, "variant_id": variant_id, "product_name": name,
                "sku": sku, "options": options or {}, "unit_price": Decimal(price),
                "quantity": quantity, "line_total": Decimal(price) * quantity,
            })
        event_rows.append({"order_id": order_id, "from_status": None,
                           "to_status": "pending", "note": "Order placed",
                           "user_id": None, "created_at": row["created_at"]})
        if row["status"] != "pending":
            event_rows.append({"order_id": order_id, "from_status": "pending",
                               "to_status": row["status"], "note": "synthetic",
                               "user_id": None,
                               "created_at": row["created_at"] + timedelta(hours=1)})
    db.session.execute(insert(OrderLine), line_rows)
    db.session.execute(insert(OrderEvent), event_rows)
