"""Build one benchmark database: `python -m bench.seed URL [options]` prints a JSON summary.

Run as a child of the bench in the servers' production environment (same secrets and data
keys), so what it writes is what the servers read. Migrations (flask_migrate upgrade), the
shop's own seed_demo(), BENCH products from store.dev.seed.seed_synthetic, optionally orders
from store.dev.seed_orders, a non-demo owner account, and the checkout's variants: each
stocked through the inventory ledger (store.inventory.services.change_stock).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from flask_migrate import upgrade
from sqlalchemy import select

from store import create_app
from store.accounts.services import create_user
from store.database import write_transaction
from store.dev.seed import seed_demo, seed_synthetic
from store.dev.seed_orders import seed_orders
from store.extensions import db
from store.inventory.services import change_stock
from store.models import Product, Variant

COLD_PRODUCTS = 50


def _timed(seconds: dict, label: str, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    seconds[label] = round(time.perf_counter() - start, 2)
    print(f"bench: {label} in {seconds[label]:.1f} s", file=sys.stderr, flush=True)
    return result


def _stock_to(variant_id: int, wanted: int) -> None:
    current = db.session.get(Variant, variant_id).stock
    if wanted != current:
        change_stock(variant_id, wanted - current, "restock", note="bench")


def prepare_checkout(buyers: int) -> dict:
    """The variants the checkout buys: cold ones with ample stock, one hot one short of stock.

    Every buyer takes one cold item; every other buyer also wants the hot variant, which has
    stock for only half of them, so buyers race for it; the baseline buys its own variant.
    """
    rows = db.session.execute(
        select(Variant.id, Product.slug, Product.price).join(Product)
        .where(Variant.position == 1, Product.slug.like("synthetic-%"))
        .order_by(Product.id).limit(COLD_PRODUCTS + 2)).all()
    if len(rows) < COLD_PRODUCTS + 2:
        raise SystemExit("bench: the checkout needs at least 52 synthetic products")
    cold, (hot, hot_slug, hot_price), (base, _s, _p) = rows[:-2], rows[-2], rows[-1]
    hot_wanted = (buyers + 1) // 2
    with write_transaction():
        for variant_id, _slug, _price in cold:
            _stock_to(variant_id, buyers)
        _stock_to(hot, max(1, hot_wanted // 2))
        _stock_to(base, buyers)
    return {
        "cold": [{"variant_id": v, "slug": s, "price": str(p)} for v, s, p in cold],
        "hot": {"variant_id": hot, "slug": hot_slug, "price": str(hot_price)},
        "hot_stock": max(1, hot_wanted // 2), "hot_wanted": hot_wanted,
        "baseline_variant": base,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.seed")
    parser.add_argument("url")
    parser.add_argument("--products", type=int, default=0)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--owner", default="", help="EMAIL:PASSWORD of an owner to create")
    parser.add_argument("--checkout-buyers", type=int, default=0)
    args = parser.parse_args(argv)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url})
    seconds: dict[str, float] = {}
    summary: dict = {"seconds": seconds}
    with app.app_context():
        _timed(seconds, "migrations", upgrade)
        _timed(seconds, "seed_demo", seed_demo)
        if args.products:
            _timed(seconds, f"seed_synthetic({args.products})", seed_synthetic, args.products)
        if args.orders:
            _timed(seconds, f"seed_orders({args.orders})", seed_orders, args.orders)
        if args.owner:
            email, _, password = args.owner.partition(":")
            create_user(email, password, ["owner"], full_name="Bench Owner")
        if args.checkout_buyers:
            summary["checkout"] = prepare_checkout(args.checkout_buyers)
        db.session.remove()
        db.engine.dispose()
    return summary


if __name__ == "__main__":
    print(json.dumps(main()))
