"""Analytics cost: `python -m bench.analytics`. The product page with analytics on and off.

Two apps share one temporary SQLite shop (migrations, BENCH_ANALYTICS_PRODUCTS synthetic
products): one records analytics (its writer thread writes batches as in production), the
other has STORE_ANALYTICS_ENABLED off. Rounds alternate between them, so the machine's
drift hits both alike; each round requests the product page BENCH_ANALYTICS_REQUESTS times
as a returning visitor (one browser) and as new visitors (a fresh browser each time, so a
visit starts and the session cookie is written). Prints medians per request and the ratio.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from store import create_app
from store.extensions import db

PRODUCTS = int(os.environ.get("BENCH_ANALYTICS_PRODUCTS", "2000"))
REQUESTS = int(os.environ.get("BENCH_ANALYTICS_REQUESTS", "200"))
ROUNDS = int(os.environ.get("BENCH_ANALYTICS_ROUNDS", "6"))
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}


def make_apps(tmp: Path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
              "UPLOAD_FOLDER": str(tmp / "uploads"), "RATELIMIT_ENABLED": False,
              "STORE_DELIVER_AFTER_REQUEST": False, "STORE_LOG_LEVEL": "WARNING"}
    on = create_app({**config, "STORE_ANALYTICS_ENABLED": True})
    off = create_app({**config, "STORE_ANALYTICS_ENABLED": False})
    with on.app_context():
        from flask_migrate import upgrade

        from store.dev import seed

        upgrade()
        seed.seed_synthetic(PRODUCTS)
        db.session.remove()
    return on, off


def per_request_ms(app, path: str, returning: bool) -> float:
    """Mean milliseconds per product page over REQUESTS requests."""
    client = app.test_client()
    client.get(path, headers=BROWSER)
    start = time.perf_counter()
    for _ in range(REQUESTS):
        if not returning:
            client = app.test_client()
        response = client.get(path, headers=BROWSER)
        assert response.status_code == 200
    return (time.perf_counter() - start) * 1000 / REQUESTS


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="store-bench-analytics-"))
    on, off = make_apps(tmp)
    path = f"/products/synthetic-{PRODUCTS // 2}"
    results = {(name, returning): [] for name in ("on", "off") for returning in (True, False)}
    for round_ in range(ROUNDS):
        order = (("on", on), ("off", off)) if round_ % 2 == 0 else (("off", off), ("on", on))
        for returning in (True, False):
            for name, app in order:
                results[name, returning].append(per_request_ms(app, path, returning))
    written = on.extensions["analytics"].flush()
    print(f"Product page, {REQUESTS} requests x {ROUNDS} rounds, alternating "
          f"(median of rounds, ms per request):")
    print(f"{'visitor':<22}{'analytics off':>15}{'analytics on':>15}{'on / off':>10}")
    for returning, label in ((True, "returning (1 browser)"), (False, "new (fresh browser)")):
        off_ms = statistics.median(results["off", returning])
        on_ms = statistics.median(results["on", returning])
        print(f"{label:<22}{off_ms:>15.2f}{on_ms:>15.2f}{on_ms / off_ms:>10.3f}")
    with on.app_context():
        from sqlalchemy import func, select

        from store.models.analytics import AnalyticsEvent

        count = db.session.scalar(select(func.count(AnalyticsEvent.id)))
    print(f"events written: {count} (last flush {written})")


if __name__ == "__main__":
    main()
