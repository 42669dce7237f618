"""The back office at scale: `python -m bench.admin DIR [PRODUCTS ORDERS]`.

Builds DIR/store.db once (PRODUCTS synthetic products, default 200,000, and ORDERS orders,
default 1,000,000, with an owner account), then signs in as the owner and requests each
back-office page 20 times in-process, printing the median, the slowest (p99 of 20) and the
SQL statements per request.
"""

import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from store.accounts import services as accounts
from store.dev.seed import seed_synthetic
from store.dev.seed_orders import seed_orders
from store.extensions import db
from tests.conftest import csrf_from, make_app

PAGES = ("/admin/", "/admin/order/", "/admin/product/", "/admin/order/?search=SS-AB",
         "/admin/order/?search=buyer12345@", "/admin/order/?flt0_status_equals=paid",
         "/admin/order/?page=3")
PASSWORD = "password-123456"


def build(app, products: int, orders: int) -> None:
    with app.app_context():
        accounts.create_user("owner@example.com", PASSWORD, ["owner"], full_name="Owner")
        db.session.commit()
        for label, seed, n in (("products", seed_synthetic, products),
                               ("orders", seed_orders, orders)):
            start = time.perf_counter()
            seed(n)
            print(f"seeded {n} {label} in {time.perf_counter() - start:.1f} s", flush=True)


def measure(app, rounds: int = 20) -> None:
    statements = []
    event.listen(Engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"email": "owner@example.com", "password": PASSWORD,
                                    "csrf_token": csrf_from(client, "/login")})
        for page in PAGES:
            for _ in range(2):  # warm up (the first view of a day slides the best sellers)
                assert client.get(page).status_code == 200, page
            statements.clear()
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                assert client.get(page).status_code == 200, page
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            print(f"{page:42} median {statistics.median(times):7.1f} ms  "
                  f"p99 {times[-1]:7.1f} ms  statements {len(statements) / rounds:.0f}",
                  flush=True)


def main() -> None:
    folder = Path(sys.argv[1])
    fresh = not (folder / "store.db").exists()
    folder.mkdir(parents=True, exist_ok=True)
    app = make_app(folder)
    if fresh:
        products, orders = (int(n) for n in (sys.argv[2:4] or ("200000", "1000000")))
        build(app, products, orders)
    measure(app)


if __name__ == "__main__":
    main()
