"""`make bench` (python -m bench): the shop over HTTP beside a bare Flask app (issue 14).

The shop runs under gunicorn with the repo's gunicorn.conf.py in production configuration
(2 sync workers), the baseline (bench/baseline.py) under the same settings on the same SQLite
file; wrk measures the pages in alternating rounds; then the checkout over HTTP (SQLite, the
baseline, PostgreSQL), search at 100,000 products, and the back office at 1,000,000 orders.
It prints one table and writes bench/results.json. Method and figures: bench/README.md.

Settings (environment): BENCH_PRODUCTS (10000), BENCH_ROUNDS (3), BENCH_SECONDS (3, per wrk
run), BENCH_BUYERS (400), BENCH_LARGE (1: search at BENCH_LARGE_PRODUCTS, 100000), BENCH_PG
(1 when .pg-url or BENCH_PG_URL names a server), BENCH_SCALE (1: BENCH_SCALE_ORDERS orders,
1000000, and BENCH_SCALE_PRODUCTS products, 200000; BENCH_CACHE=1 keeps that database in
instance/bench-cache/ for the next run).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import backoffice, cache, checkout, pg, report, servers, wrk
from bench.pages import cart_cookie, catalog_rows, measure, search_rows
from bench.verify import verify


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


SETTINGS = {
    "products": _int("BENCH_PRODUCTS", 10_000), "rounds": _int("BENCH_ROUNDS", 3),
    "seconds": float(os.environ.get("BENCH_SECONDS", "3")), "buyers": _int("BENCH_BUYERS", 400),
    "large": _int("BENCH_LARGE", 1), "large_products": _int("BENCH_LARGE_PRODUCTS", 100_000),
    "pg": _int("BENCH_PG", 1), "scale": _int("BENCH_SCALE", 1),
    "scale_orders": _int("BENCH_SCALE_ORDERS", 1_000_000),
    "scale_products": _int("BENCH_SCALE_PRODUCTS", 200_000), "cache": _int("BENCH_CACHE", 0),
    "wrk": "-t2 -c16 --latency", "gunicorn": "gunicorn.conf.py, WEB_CONCURRENCY=2 (sync)",
}
RESULTS = Path(__file__).resolve().parent / "results.json"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Run:
    """One bench run: its temporary folder, environment, table rows and details."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="store-bench-"))
        sink, mail_port = servers.mail_sink(self.tmp)
        self.env = servers.production_env(mail_port)
        self.rows: list[dict] = []
        self.details: dict = {"seed_seconds": {}, "checkout": {}, "memory_mb": {},
                              "backoffice": {}, "failures": []}
        self.owner = ("bench-owner@example.com", "Bench-" + secrets.token_urlsafe(12))

    def seed(self, name: str, url: str, **options) -> dict:
        args = [sys.executable, "-m", "bench.seed", url]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        log(f"bench: seeding {name} ...")
        env = {**os.environ, **self.env, "STORE_LOG_LEVEL": "WARNING"}  # no migration logs
        done = subprocess.run(args, cwd=servers.ROOT, env=env, stdout=subprocess.PIPE,
                              text=True)
        if done.returncode != 0:
            raise RuntimeError(f"seeding {name} failed (exit {done.returncode})")
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        self.details["seed_seconds"][name] = summary["seconds"]
        return summary

    def shop(self, name: str, url: str, **extra) -> servers.Gunicorn:
        return servers.Gunicorn(name, "app:app", {**self.env, "DATABASE_URL": url, **extra},
                                self.tmp)

    def baseline(self, path: Path) -> servers.Gunicorn:
        return servers.Gunicorn("baseline", "bench.baseline:app",
                                {**self.env, "BENCH_BASELINE_DB": str(path)}, self.tmp)

    def memory(self, label: str, server: servers.Gunicorn) -> None:
        server.sample_memory()
        self.details["memory_mb"][label] = {str(pid): round(kb / 1024, 1)
                                            for pid, kb in sorted(server.peak_kb.items())}

    def phase(self, name: str, fn) -> None:
        """Run one part; a failure is reported and recorded, and the run goes on."""
        start = time.perf_counter()
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 (every failure is reported, the run goes on)
            log(f"bench: {name} FAILED: {exc}")
            traceback.print_exc()
            self.details["failures"].append(f"{name}: {exc}")
        finally:
            servers.stop_all_but_sink()
            log(f"bench: {name} took {time.perf_counter() - start:.0f} s")


def pages_and_checkout(run: Run) -> None:
    db_path = run.tmp / "shop.db"
    url = f"sqlite:///{db_path}"
    plan = run.seed("shop", url, products=SETTINGS["products"],
                    checkout_buyers=SETTINGS["buyers"])["checkout"]
    shop, base = run.shop("shop", url), run.baseline(db_path)
    off = run.shop("shop-analytics-off", url, STORE_ANALYTICS_ENABLED="0")
    running = {"shop": shop, "baseline": base, "shop-analytics-off": off}
    for server in running.values():
        server.wait_ready()
    cookie = cart_cookie(shop.port, [c["slug"] for c in plan["cold"][-2:]])
    rows = catalog_rows(SETTINGS["products"], cookie)
    measure(running, rows, SETTINGS["rounds"], SETTINGS["seconds"], log)
    run.rows += report.page_rows(rows)
    off.stop()
    checkout_rows(run, "SQLite", url, shop, base, plan)
    run.memory(f"shop workers ({SETTINGS['products']:,} products)", shop)
    run.memory("baseline workers", base)


def checkout_rows(run: Run, label: str, url: str, shop, base, plan: dict) -> None:
    log(f"bench: preparing {SETTINGS['buyers']} buyers ({label}) ...")
    buyers = checkout.prepare(shop.port, plan, SETTINGS["buyers"])
    variant_ids = [c["variant_id"] for c in plan["cold"]] + [plan["hot"]["variant_id"]]
    before = checkout.stock_facts(url, variant_ids)
    shot = checkout.fire(shop.port, [("/checkout", b["cookie"], b["form"]) for b in buyers])
    after = checkout.stock_facts(url, variant_ids)
    orders = checkout.order_facts(url, before["last_order"])
    prices = {c["variant_id"]: checkout.money(c["price"]) for c in plan["cold"]}
    prices[plan["hot"]["variant_id"]] = checkout.money(plan["hot"]["price"])
    check = verify(buyers, shot["outcomes"], orders, prices, before["stock"], after["stock"],
                   after["ledger"], plan["hot"]["variant_id"])
    shop_rate = check["placed"] / shot["seconds"]
    baseline_rate, base_latency = None, {}
    if base is not None:
        bought = [("/checkout", "", {"variant_id": plan["baseline_variant"]})] * len(buyers)
        base_shot = checkout.fire(base.port, bought)
        done = sum(o["status"] == 303 for o in base_shot["outcomes"])
        baseline_rate = done / base_shot["seconds"]
        base_latency = checkout.latency(base_shot["outcomes"])
    lat = checkout.latency(shot["outcomes"])
    run.details["checkout"][label] = {
        "buyers": len(buyers), "seconds": round(shot["seconds"], 3),
        "client_cpu_seconds": round(shot["client_cpu_seconds"], 3), **lat,
        "statuses": _count(o["status"] for o in shot["outcomes"]),
        "verification": check, "baseline": {"orders_per_s": baseline_rate, **base_latency}}
    for problem in check["problems"][:20]:
        log(f"bench: checkout {label}: {problem}")
    target = "checkout" if label == "SQLite" else "checkout-pg"
    run.rows.append(report.table_row(
        f"checkout {label} (orders/s)", round(shop_rate, 1),
        round(baseline_rate, 1) if baseline_rate else None, lat["p50_ms"], lat["p99_ms"],
        target, orders_per_s=shop_rate, problems=len(check["problems"]),
        placed=check["placed"], turned_away=check["turned_away"]))


def _count(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def large_search(run: Run) -> None:
    n = SETTINGS["large_products"]
    db_path = run.tmp / "large.db"
    run.seed("large", f"sqlite:///{db_path}", products=n)
    shop, base = run.shop("shop-large", f"sqlite:///{db_path}"), run.baseline(db_path)
    for server in (shop, base):
        server.wait_ready()
    rows = search_rows(n, f" @{n // 1000}k")
    measure({"shop": shop, "baseline": base}, rows, SETTINGS["rounds"], SETTINGS["seconds"], log)
    run.rows += report.page_rows(rows)


def postgres_checkout(run: Run) -> None:
    server_url = pg.server_url()
    if not server_url:
        raise RuntimeError("no PostgreSQL server: put its URL in .pg-url or BENCH_PG_URL")
    with pg.fresh_database(server_url) as url:
        plan = run.seed("postgres", url, products=200,
                        checkout_buyers=SETTINGS["buyers"])["checkout"]
        shop = run.shop("shop-postgres", url)
        shop.wait_ready()
        checkout_rows(run, "PostgreSQL", url, shop, None, plan)
        run.memory("shop workers (PostgreSQL)", shop)
        shop.stop()


def scale_database(run: Run, orders: int, products: int) -> tuple[str, dict, tuple]:
    """The back office's database (seeded, or from the cache), its secrets and its owner."""
    sizes = {"orders": orders, "products": products}
    found = cache.lookup("scale", sizes) if SETTINGS["cache"] else None
    if found:
        path, meta = found
        log(f"bench: back office database from the cache ({path.parent})")
        run.details["seed_seconds"]["scale"] = {"cached": str(path.parent)}
        return f"sqlite:///{path}", meta["env"], tuple(meta["owner"])
    path = run.tmp / "scale.db"
    run.seed("scale", f"sqlite:///{path}", products=products, orders=orders,
             owner=":".join(run.owner))
    if SETTINGS["cache"]:
        path = cache.keep("scale", sizes, path, run.env, {"owner": run.owner})
    return f"sqlite:///{path}", {}, run.owner


def back_office(run: Run) -> None:
    orders, products = SETTINGS["scale_orders"], SETTINGS["scale_products"]
    url, secrets_env, owner = scale_database(run, orders, products)
    shop = run.shop("shop-scale", url, **secrets_env)
    shop.wait_ready()
    timings = backoffice.time_pages(backoffice.sign_in(shop.port, *owner))
    run.details["backoffice"] = timings
    for label, figures in timings.items():
        size = f"{products:,} products" if "products" in label else f"{orders:,} orders"
        run.rows.append(report.table_row(f"{label} @{size}", None, None,
                                         figures["median_ms"], figures["p99_ms"], "admin"))
    run.memory("shop workers (back office at scale)", shop)


def main() -> int:
    servers.install_cleanup()
    try:
        wrk.ensure_wrk()
    except wrk.WrkError as exc:
        log(f"bench: {exc}")
        return 2
    run = Run()
    run.details["machine"] = {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()}
    log(f"bench: working in {run.tmp}; settings {SETTINGS}")
    run.phase("pages and checkout", lambda: pages_and_checkout(run))
    if SETTINGS["large"]:
        run.phase("search at scale", lambda: large_search(run))
    if SETTINGS["pg"]:
        run.phase("PostgreSQL checkout", lambda: postgres_checkout(run))
    if SETTINGS["scale"]:
        run.phase("back office at scale", lambda: back_office(run))
    run.details["machine"]["load_at_end"] = os.getloadavg()
    print(report.render(run.rows))
    for label, workers in run.details["memory_mb"].items():
        print(f"peak memory (VmHWM) per worker, {label}: "
              + ", ".join(f"{mb:.0f} MB" for mb in workers.values()))
    for failure in run.details["failures"]:
        print(f"FAILED: {failure}")
    report.write_results(RESULTS, run.rows, run.details, SETTINGS)
    print(f"results: {RESULTS.relative_to(servers.ROOT)}")
    servers.stop_all()
    if run.details["failures"] or os.environ.get("BENCH_KEEP") == "1":
        print(f"databases and server logs kept in {run.tmp}")
        return 1 if run.details["failures"] else 0
    shutil.rmtree(run.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
