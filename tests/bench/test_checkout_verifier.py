"""The checkout verifier (bench/verify.py) catches what a broken checkout would leave behind."""

import copy
from decimal import Decimal

from bench.verify import verify

COLD, HOT = 1, 2
PRICES = {COLD: Decimal("10.00"), HOT: Decimal("5.00")}
SHIPPING = Decimal("4.90")


def order(number, lines):
    subtotal = sum((Decimal(q) * PRICES[v] for v, q in lines), Decimal("0"))
    return {"number": number, "subtotal": subtotal, "discount_total": Decimal("0.00"),
            "shipping_cost": SHIPPING, "total": subtotal + SHIPPING,
            "lines": [(v, q, PRICES[v], PRICES[v] * q) for v, q in lines]}


def good_run():
    """Three buyers race for one hot item: two get orders, the third is sent back to the cart."""
    return {
        "buyers": [{"items": {COLD: 1, HOT: 1}}, {"items": {COLD: 1}},
                   {"items": {COLD: 1, HOT: 1}}],
        "outcomes": [{"status": 303, "location": "/orders/A1?token=x"},
                     {"status": 303, "location": "/orders/B2"},
                     {"status": 303, "location": "/cart"}],
        "orders": {"A1": order("A1", [(COLD, 1), (HOT, 1)]), "B2": order("B2", [(COLD, 1)])},
        "prices": PRICES, "before": {COLD: 4, HOT: 1}, "after": {COLD: 2, HOT: 0},
        "ledger": {COLD: 2, HOT: 0}, "hot_id": HOT,
    }


def test_a_correct_checkout_passes():
    """Orders that match the carts, stock and ledger in step: no problem reported."""
    result = verify(**good_run())
    assert result["problems"] == []
    assert (result["placed"], result["turned_away"], result["hot_sold"]) == (2, 1, 1)


def test_an_oversell_is_caught():
    """Two buyers both get the last hot item: the verifier reports an oversell."""
    # given a checkout that sold the hot variant twice with one in stock
    run = good_run()
    run["outcomes"][2] = {"status": 303, "location": "/orders/C3"}
    run["orders"]["C3"] = order("C3", [(COLD, 1), (HOT, 1)])
    run["after"], run["ledger"] = {COLD: 1, HOT: -1}, {COLD: 1, HOT: -1}
    # when it is verified
    problems = verify(**run)["problems"]
    # then the oversell is named
    assert any(p.startswith("oversell: variant 2 sold 2 with 1 in stock") for p in problems)


def test_stock_out_of_step_with_its_ledger_is_caught():
    """Stock taken without a ledger entry is reported."""
    run = good_run()
    run["ledger"] = {COLD: 3, HOT: 0}
    assert verify(**run)["problems"] == ["variant 1: stock 2 but its ledger sums to 3"]


def test_a_wrong_total_and_a_wrong_price_are_caught():
    """An order charged at the wrong price or with a total that does not add up is reported."""
    run = good_run()
    broken = copy.deepcopy(run["orders"]["B2"])
    broken["total"] = Decimal("99.00")
    broken["lines"][0] = (COLD, 1, Decimal("9.00"), Decimal("9.00"))
    run["orders"]["B2"] = broken
    problems = verify(**run)["problems"]
    assert any("variant 1 at 9.00, the catalog says 10.00" in p for p in problems)
    assert any("total 99.00 != " in p for p in problems)


def test_errors_and_phantom_orders_are_caught():
    """A 5xx, a redirect to an order that does not exist and an order nobody got are reported."""
    run = good_run()
    run["outcomes"][0] = {"status": 502, "location": ""}
    run["outcomes"][1] = {"status": 303, "location": "/orders/ZZ9"}
    problems = verify(**run)["problems"]
    assert "buyer 0: HTTP 502" in problems
    assert "buyer 1: 303 to order ZZ9, which is not in the database" in problems
    assert "order A1 was placed but no buyer was sent to it" in problems


def test_a_buyer_turned_away_while_stock_remains_is_caught():
    """Sending a buyer back to the cart while the hot item is still in stock is reported."""
    run = good_run()
    run["before"], run["after"], run["ledger"] = {COLD: 4, HOT: 2}, {COLD: 2, HOT: 1}, {COLD: 2,
                                                                                      HOT: 1}
    assert verify(**run)["problems"] == [
        "1 buyers were turned away while variant 2 still had 1 in stock"]
