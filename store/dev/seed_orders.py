"""Synthetic orders with lines, in bulk, for benchmarks (`flask seed --orders N`).

They are history: they do not touch stock and send no email.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from store.database import begin_write
from store.dev.bulk import bulk_insert
from store.errors import ValidationFailed
from store.extensions import db
from store.models import Order, OrderEvent, OrderLine, Product, User, Variant, rollups
from store.models.base import utcnow
from store.models.keys import encrypt
from store.orders.services import STAMPS
from store.pricing.shipping import default_country, method_price, zone_for

# Mostly finished orders, as in a shop that has been running for a while.
STATUS_WEIGHTS = {"delivered": 50, "shipped": 10, "paid": 10, "pending": 10, "cancelled": 15,
                  "refunded": 5}
# As in store.orders.services.new_order_number (seeded numbers come from the seeded random).
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CITIES = (("Madrid", "28001", "ES"), ("Lisboa", "1100-148", "PT"), ("Lyon", "69001", "FR"),
          ("Berlin", "10115", "DE"), ("Bristol", "BS1 4DJ", "GB"), ("Torino", "10121", "IT"))


@dataclass(frozen=True)
class _Pool:
    """What every synthetic order draws from."""

    variants: list
    customers: list[int]
    currency: str
    now: datetime
    # shipping method code -> its priced Method in the shop's own zone
    methods: dict
    # personal fields, encrypted once each: (full names, street lines, (city, postal) pairs)
    sealed: tuple


def seed_orders(n: int, progress=None, batch: int = 20_000, seed: int | None = None) -> int:
    """Add n synthetic orders (1 to 4 lines each, spread over the last year). Commits.

    Fast enough for a million: plain executemany inserts in batches, one transaction each,
    personal fields encrypted once per distinct value, rollups filled per batch.
    """
    if n <= 0:
        return 0
    rng = random.Random(seed if seed is not None else n)
    pool = _pool()
    numbers = set(db.session.scalars(select(Order.number)))
    next_id = (db.session.scalar(select(func.max(Order.id))) or 0) + 1
    done = 0
    while done < n:
        size = min(batch, n - done)
        made = [_fake_order(rng, pool, done + i, _unique_number(rng, numbers))
                for i in range(size)]
        for offset, (row, _lines) in enumerate(made):
            row["id"] = next_id + offset
        next_id += size
        begin_write()
        _insert_batch(pool, [row for row, _lines in made], [lines for _row, lines in made])
        db.session.commit()
        done += size
        if progress:
            progress(size)
    return done


def _pool() -> _Pool:
    variants = db.session.execute(
        select(Variant.id, Variant.sku, Variant.options, Product.name,
               func.coalesce(Variant.price_override, Product.price))
        .join(Product, Product.id == Variant.product_id).order_by(Variant.id)
    ).all()
    if not variants:
        raise ValidationFailed("Add products first (flask seed --products N).")
    zone = zone_for(default_country())
    names = [encrypt(f"Buyer {i}") for i in range(500)]
    streets = [encrypt(f"{i} Market Street") for i in range(1, 201)]
    places = [(encrypt(city), encrypt(postal), country) for city, postal, country in CITIES]
    return _Pool(variants=[(v[0], v[1], v[2] or {}, v[3], Decimal(v[4])) for v in variants],
                 customers=list(db.session.scalars(select(User.id).order_by(User.id)
                                                   .limit(200))),
                 currency=current_app.config["STORE_CURRENCY"], now=utcnow(),
                 methods={m.code: m for m in zone.methods if m.active},
                 sealed=(names, streets, places, encrypt("")))


def _unique_number(rng: random.Random, taken: set[str]) -> str:
    """A new order number, shaped like real ones, not in `taken` (which it joins)."""
    while True:
        raw = "".join(rng.choices(NUMBER_ALPHABET, k=8))
        number = f"SS-{raw[:4]}-{raw[4:]}"
        if number not in taken:
            taken.add(number)
            return number


def _fake_order(rng: random.Random, pool: _Pool, index: int, number: str
                ) -> tuple[dict, list[tuple[tuple, int]]]:
    """One order row (ready for a bulk insert, personal fields sealed) and its
    (variant row, quantity) lines."""
    status = rng.choices(_STATUSES, _WEIGHTS)[0]
    created = pool.now - timedelta(minutes=rng.randint(5, 365 * 24 * 60))
    chosen = rng.sample(pool.variants, k=min(len(pool.variants), rng.randint(1, 4)))
    lines = [(v, rng.randint(1, 3)) for v in chosen]
    subtotal = sum((v[4] * q for v, q in lines), Decimal("0.00"))
    method = rng.choice(("standard", "standard", "express"))
    cost = method_price(pool.methods[method], subtotal)
    names, streets, places, empty = pool.sealed
    city, postal, country = rng.choice(places)
    customers = pool.customers
    user_id = rng.choice(customers) if customers and rng.random() < 0.4 else None
    row = {
        "number": number, "checkout_token": None, "user_id": user_id,
        "email": f"buyer{index}@example.com", "status": status, "locale": "en",
        "currency": pool.currency, "full_name": rng.choice(names),
        "address_line1": rng.choice(streets), "address_line2": empty,
        "city": city, "postal_code": postal, "country": country, "phone": empty,
        "shipping_method": method, "payment_method": "manual",
        "payment_reference": None, "subtotal": subtotal, "shipping_cost": cost,
        "total": subtotal + cost, "created_at": created, "updated_at": created,
        "payment_due_at": None, "discount_total": Decimal("0.00"),
        "refunded_total": Decimal("0.00"), "prices_include_tax": True,
    }
    for stamp in STAMPS.values():
        row[stamp] = None
    if status != "pending":
        row[STAMPS[status]] = created + timedelta(hours=1)
    if status in ("shipped", "delivered"):
        # Paid before it left: paid_at as well, as a real order has.
        row["paid_at"] = created + timedelta(minutes=30)
        row.update(carrier="correos", tracking_number=f"PK{rng.randint(10**9, 10**10)}")
    else:
        row.update(carrier=None, tracking_number=None)
    return row, lines


_STATUSES, _WEIGHTS = zip(*STATUS_WEIGHTS.items(), strict=True)
# Encrypted columns: the seeder seals their values itself, once per distinct value.
_SEALED = frozenset({"full_name", "address_line1", "address_line2", "city", "postal_code",
                     "phone", "note"})


def _insert_batch(pool: _Pool, orders: list[dict],
                  pending_lines: list[list[tuple[tuple, int]]]) -> None:
    """Insert a batch of order rows (ids set) with their lines, status events and rollups.
    Does not commit."""
    line_rows, event_rows, deltas, sales = [], [], {}, {}
    placed, synthetic = encrypt("Order placed"), encrypt("synthetic")
    for row, lines in zip(orders, pending_lines, strict=True):
        order_id = row["id"]
        for (variant_id, sku, options, name, price), quantity in lines:
            line_rows.append({
                "order_id": order_id, "variant_id": variant_id, "product_name": name,
                "sku": sku, "options": options, "unit_price": price,
                "quantity": quantity, "line_total": price * quantity,
            })
        event_rows.append({"order_id": order_id, "from_status": None,
                           "to_status": "pending", "note": placed,
                           "user_id": None, "created_at": row["created_at"]})
        if row["status"] != "pending":
            event_rows.append({"order_id": order_id, "from_status": "pending",
                               "to_status": row["status"], "note": synthetic,
                               "user_id": None,
                               "created_at": row["created_at"] + timedelta(hours=1)})
        key = rollups.key_of(row["status"], row["paid_at"], row["created_at"])
        entry = deltas.setdefault(key, [0, Decimal("0.00"), Decimal("0.00")])
        entry[0] += 1
        entry[1] += row["total"]
        if row["status"] in rollups.REVENUE_STATUSES:
            for (_id, _sku, _options, name, price), quantity in lines:
                sold = sales.setdefault((key[0], name), [0, Decimal("0.00")])
                sold[0] += quantity
                sold[1] += price * quantity
    bulk_insert(Order, orders, _SEALED)
    bulk_insert(OrderLine, line_rows)
    bulk_insert(OrderEvent, event_rows, _SEALED)
    rollups.add_rows(db.session.connection(), deltas)
    rollups.add_sales(db.session.connection(), sales)
