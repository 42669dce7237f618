"""The checkout verifier: what the database must hold after the buyers' POSTs.

Pure functions over plain data (tests feed it bad data): the buyers' carts, the HTTP outcomes
of their POSTs, the orders placed, each variant's price, its stock before and after, and the
sum of its inventory ledger.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

ORDER_PAGE = re.compile(r"/orders/([^/?#]+)")


def _check_order(n: int, items: dict[int, int], order: dict, prices: dict) -> list[str]:
    problems = []
    bought = Counter()
    for variant_id, quantity, unit_price, line_total in order["lines"]:
        bought[variant_id] += quantity
        if unit_price != prices.get(variant_id):
            problems.append(f"order {order['number']}: variant {variant_id} at {unit_price}, "
                            f"the catalog says {prices.get(variant_id)}")
        if line_total != unit_price * quantity:
            problems.append(f"order {order['number']}: line total {line_total} is not "
                            f"{quantity} x {unit_price}")
    if dict(bought) != items:
        problems.append(f"order {order['number']} of buyer {n} holds {dict(bought)}, "
                        f"the cart held {items}")
    lines = sum((line[3] for line in order["lines"]), Decimal("0"))
    if order["subtotal"] != lines:
        problems.append(f"order {order['number']}: subtotal {order['subtotal']} != lines {lines}")
    expected = order["subtotal"] - order["discount_total"] + order["shipping_cost"]
    if order["total"] != expected:
        problems.append(f"order {order['number']}: total {order['total']} != {expected}")
    return problems


def _check_outcomes(buyers, outcomes, orders, prices, hot_id) -> tuple[list[str], Counter, dict]:
    problems, sold, seen = [], Counter(), {}
    for n, (buyer, outcome) in enumerate(zip(buyers, outcomes, strict=True)):
        status, location = outcome["status"], outcome.get("location", "")
        placed = ORDER_PAGE.search(location) if status == 303 else None
        if status >= 500 or status == 0:
            problems.append(f"buyer {n}: HTTP {status} {outcome.get('error', '')}".rstrip())
        elif placed:
            number = placed.group(1)
            order = orders.get(number)
            if order is None:
                problems.append(f"buyer {n}: 303 to order {number}, which is not in the database")
                continue
            if number in seen:
                problems.append(f"buyers {seen[number]} and {n} went to one order {number}")
            seen[number] = n
            problems += _check_order(n, buyer["items"], order, prices)
            sold.update({vid: qty for vid, qty, _u, _t in order["lines"]})
        elif status == 303 and hot_id in buyer["items"]:
            seen.setdefault(("turned away", n), n)
        else:
            problems.append(f"buyer {n}: HTTP {status} to {location or '-'} (no order placed)")
    return problems, sold, seen


def verify(buyers: list[dict], outcomes: list[dict], orders: dict[str, dict],
           prices: dict[int, Decimal], before: dict[int, int], after: dict[int, int],
           ledger: dict[int, int], hot_id: int) -> dict:
    """Problems found (empty: all right) and the counts: placed, turned away, sold per variant."""
    problems, sold, seen = _check_outcomes(buyers, outcomes, orders, prices, hot_id)
    placed = {k for k in seen if isinstance(k, str)}
    turned_away = len(seen) - len(placed)
    for number in sorted(set(orders) - placed):
        problems.append(f"order {number} was placed but no buyer was sent to it")
    for variant_id, initial in sorted(before.items()):
        now, expected = after.get(variant_id), initial - sold[variant_id]
        if sold[variant_id] > initial:
            problems.append(f"oversell: variant {variant_id} sold {sold[variant_id]} "
                            f"with {initial} in stock")
        if now != expected:
            problems.append(f"variant {variant_id}: stock {now}, expected {initial} - "
                            f"{sold[variant_id]} sold = {expected}")
        if ledger.get(variant_id) != now:
            problems.append(f"variant {variant_id}: stock {now} but its ledger sums to "
                            f"{ledger.get(variant_id)}")
    if turned_away and after.get(hot_id, 0) > 0:
        problems.append(f"{turned_away} buyers were turned away while variant {hot_id} "
                        f"still had {after.get(hot_id)} in stock")
    return {"problems": problems, "placed": len(placed), "turned_away": turned_away,
            "sold": dict(sold), "hot_sold": sold[hot_id], "hot_stock": before.get(hot_id)}
