"""Benchmarks: `make bench` (python -m bench). Prints a table of timings on a large catalog.

A temporary SQLite database gets BENCH_PRODUCTS synthetic products (default 10,000, three
variants each) and BENCH_ORDERS orders; then each page is requested BENCH_ROUNDS times
through the WSGI app and the median and 95th percentile are printed.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from store import create_app
from store.extensions import db

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
# A page in the middle of the catalog (12 products a page), to show OFFSET costs.
DEEP_PAGE = max(1, PRODUCTS // 24)


def timed(fn, rounds=ROUNDS):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def timed_once(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def login(client, email, password):
    import re

    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="store-bench-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
        "UPLOAD_FOLDER": str(tmp / "uploads"), "STORE_DEMO_ACCOUNTS": True,
        "RATELIMIT_ENABLED": False, "STORE_DELIVER_AFTER_REQUEST": False,
    })
    rows = []
    with app.app_context():
        from flask_migrate import upgrade

        from store.dev import seed

        upgrade()
        seed.seed_demo()
        start = time.perf_counter()
        seed.seed_synthetic(PRODUCTS)
        rows.append((f"seed {PRODUCTS:,} products", (time.perf_counter() - start) * 1000, None))
        try:
            from store.dev.seed_orders import seed_orders
        except ImportError:
            seed_orders = None
        if seed_orders and ORDERS:
            start = time.perf_counter()
            seed_orders(ORDERS)
            rows.append((f"seed {ORDERS:,} orders", (time.perf_counter() - start) * 1000, None))
        db.session.remove()

    client = app.test_client()
    pages = [
        ("home", "/"),
        ("catalog page 1", "/products/"),
        (f"catalog page {DEEP_PAGE}", f"/products/?page={DEEP_PAGE}"),
        ("catalog category + price sort", "/products/?category=books&sort=price_asc"),
        ("search 'silver ring'", "/products/?q=silver+ring"),
        ("search nonsense", "/products/?q=zzqxv"),
        ("search stems 'rings'", "/products/?q=rings"),
        ("search typo 'harbuor'", "/products/?q=harbuor"),
        ("suggest 'sil'", "/search/suggest?q=sil"),
        ("sitemap.xml", "/sitemap.xml"),
        ("product page", f"/products/synthetic-{PRODUCTS // 2}"),
        ("api product list", "/api/v1/products"),
        ("api product list, search", "/api/v1/products?q=silver+ring"),
        ("api product", f"/api/v1/products/synthetic-{PRODUCTS // 2}"),
    ]
    for label, path in pages:
        assert client.get(path).status_code == 200, path
        rows.append((label, *timed(lambda p=path: client.get(p))))

    # The JSON API's product list, page by page (cursor): the p99 the issue asks for.
    api_pages = [client.get("/api/v1/products?limit=20").get_json()["next"]]
    for _ in range(20):
        api_pages.append(client.get(api_pages[-1]).get_json()["next"])
    samples = sorted(timed_once(lambda p=path: client.get(p)) for path in api_pages * 10)
    rows.append(("api product list, 210 cursor pages: p99", samples[int(len(samples) * 0.99) - 1],
                 None))

    staff = app.test_client()
    login(staff, "owner@example.com", app.config["STORE_DEMO_PASSWORD"])
    for label, path in [("admin dashboard", "/admin/"), ("admin products", "/admin/product/"),
                        ("admin inventory", "/admin/variant/"), ("admin orders", "/admin/order/"),
                        ("admin customers", "/admin/customer/")]:
        status = staff.get(path).status_code
        if status != 200:
            rows.append((f"{label} (HTTP {status})", float("nan"), None))
            continue
        rows.append((label, *timed(lambda p=path: staff.get(p), rounds=max(5, ROUNDS // 3))))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'benchmark'.ljust(width)}  {'median ms':>10}  {'p95 ms':>8}")
    print("-" * (width + 22))
    for label, median, p95 in rows:
        p95_text = f"{p95:8.1f}" if p95 is not None else " " * 8
        print(f"{label.ljust(width)}  {median:10.1f}  {p95_text}")


if __name__ == "__main__":
    main()
