"""Checkout over HTTP: buyers prepared like browsers, then every checkout POST at once, then
every outcome checked against the database.

Preparation (not timed): each buyer has its own session; it opens a product page for the
CSRF token, posts its items to /cart/items, opens /checkout and scrapes the form (csrf_token,
checkout_token, the chosen shipping and payment methods ...) and fills in an address.
Then `fire()` sends all the prepared POSTs over 16 keep-alive connections from threads (the
client does little per request: its CPU time is reported beside the wall time), and
`verify()` checks the result: every 303 to an order page is an order with the buyer's lines
at the catalog price and a consistent total, only buyers of the short-stocked variant are
turned away, stock equals the initial stock minus what was sold and equals its ledger, and
nothing answered 5xx.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import create_engine, text

from bench.browser import Browser, form_with

ADDRESS = {"full_name": "Ana García", "address_line1": "Calle Mayor 1", "address_line2": "",
           "city": "Madrid", "postal_code": "28013", "country": "ES",
           "phone": "+34 600 000 000", "shipping_method": "standard", "payment_method": "manual"}
CENT = Decimal("0.01")


def buyer_items(plan: dict, n: int) -> dict[int, int]:
    """What buyer n puts in the cart: a cold variant, and every other buyer the hot one."""
    cold = plan["cold"][n % len(plan["cold"])]["variant_id"]
    return {cold: 1, plan["hot"]["variant_id"]: 1} if n % 2 == 0 else {cold: 1}


def prepare_buyer(port: int, plan: dict, n: int) -> dict:
    """One buyer's session and filled-in checkout form (the POST not yet sent)."""
    browser = Browser(port)
    slugs = {c["variant_id"]: c["slug"] for c in plan["cold"]}
    slugs[plan["hot"]["variant_id"]] = plan["hot"]["slug"]
    items = buyer_items(plan, n)
    for variant_id, quantity in items.items():
        page = browser.get(f"/products/{slugs[variant_id]}")
        cart_form = form_with(page.body, "variant_id", "/cart")
        added = browser.post(cart_form.action or "/cart/items",
                             {**cart_form.fields, "variant_id": variant_id, "quantity": quantity})
        if added.status >= 400:
            raise RuntimeError(f"buyer {n}: adding to the cart answered {added.status}")
    page = browser.get("/checkout")
    if page.status != 200:
        raise RuntimeError(f"buyer {n}: /checkout answered {page.status}")
    form = form_with(page.body, "checkout_token")
    fields = {**form.fields, **ADDRESS, "email": f"buyer{n}@example.com"}
    browser.close()
    return {"cookie": browser.cookie_header(), "form": fields, "items": items}


def prepare(port: int, plan: dict, buyers: int, workers: int = 8) -> list[dict]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda n: prepare_buyer(port, plan, n), range(buyers)))


def fire(port: int, requests: list[tuple[str, str, dict]], connections: int = 16) -> dict:
    """Send each (path, cookie, form) once, all at once over `connections` keep-alive sockets.

    Returns the outcomes in order (status, location, ms), the wall and client CPU seconds.
    """
    outcomes: list[dict | None] = [None] * len(requests)
    next_index = iter(range(len(requests))).__next__
    lock, start_line = threading.Lock(), threading.Barrier(connections + 1)

    def worker():
        browser = Browser(port)
        start_line.wait()
        while True:
            with lock:
                try:
                    i = next_index()
                except StopIteration:
                    break
            path, cookie, form = requests[i]
            try:
                answer = browser.request("POST", path, form, headers={"Cookie": cookie})
                outcomes[i] = {"status": answer.status, "location": answer.location,
                               "ms": answer.ms}
            except OSError as exc:
                outcomes[i] = {"status": 0, "location": "", "ms": 0.0, "error": str(exc)}
        browser.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    cpu, wall = time.process_time(), time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    return {"outcomes": outcomes, "seconds": time.perf_counter() - wall,
            "client_cpu_seconds": time.process_time() - cpu}


def latency(outcomes: list[dict]) -> dict:
    samples = sorted(o["ms"] for o in outcomes if o["status"])
    if not samples:
        return {"p50_ms": None, "p99_ms": None}
    return {"p50_ms": round(statistics.median(samples), 2),
            "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2)}


def stock_facts(url: str, variant_ids: list[int]) -> dict:
    """Each variant's stock and the sum of its ledger, and the last order id."""
    engine = create_engine(url)
    ids = ",".join(str(int(v)) for v in variant_ids)
    with engine.connect() as conn:
        stock = dict(conn.execute(text(f"SELECT id, stock FROM variant WHERE id IN ({ids})")).all())
        ledger = dict(conn.execute(text(
            f"SELECT variant_id, SUM(delta) FROM stock_movement WHERE variant_id IN ({ids}) "
            "GROUP BY variant_id")).all())
        last = conn.execute(text('SELECT COALESCE(MAX(id), 0) FROM "order"')).scalar()
    engine.dispose()
    return {"stock": stock, "ledger": {k: int(v) for k, v in ledger.items()}, "last_order": last}


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def order_facts(url: str, after_id: int) -> dict[str, dict]:
    """The orders placed after order id `after_id`, by number, with their lines."""
    engine = create_engine(url)
    with engine.connect() as conn:
        orders = {row.id: {"number": row.number, "subtotal": money(row.subtotal),
                           "discount_total": money(row.discount_total),
                           "shipping_cost": money(row.shipping_cost),
                           "total": money(row.total), "lines": []}
                  for row in conn.execute(text(
                      'SELECT id, number, subtotal, discount_total, shipping_cost, total '
                      'FROM "order" WHERE id > :after'), {"after": after_id})}
        for row in conn.execute(text(
                "SELECT order_id, variant_id, quantity, unit_price, line_total FROM order_line "
                "WHERE order_id > :after ORDER BY id"), {"after": after_id}):
            orders[row.order_id]["lines"].append(
                (row.variant_id, row.quantity, money(row.unit_price), money(row.line_total)))
    engine.dispose()
    return {o["number"]: o for o in orders.values()}
