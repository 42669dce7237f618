"""Page rows: the same page on the shop and on the baseline, measured with wrk in turns.

Each round runs every row once on every server (the order flipped every other round, so
drift over the run hits both alike); a row's figures are the medians over the rounds of
wrk's requests/s and of its p50 and p99 latencies.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench import wrk
from bench.browser import Browser, form_with


@dataclass
class Row:
    label: str
    paths: dict[str, str]  # server name -> path
    target: str = ""  # a key of report.TARGETS
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # server -> headers
    runs: dict[str, list[dict]] = field(default_factory=dict)

    def summary(self, server: str) -> dict | None:
        runs = self.runs.get(server)
        if not runs:
            return None
        return {
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
            "errors": sum(r["non_2xx_3xx"] + r["socket_errors"] for r in runs),
            "rounds": [{k: r[k] for k in ("rps", "p50_ms", "p99_ms", "requests")} for r in runs],
        }


def catalog_rows(products: int, cart_cookie: str, *, suffix: str = "") -> list[Row]:
    """The storefront rows of issue 14 for a catalog of `products` synthetic products."""
    deep = max(1, products // 24)  # the middle of the catalog at 12 products a page
    product = f"/products/synthetic-{max(1, products // 2)}"
    rows = [
        Row("home", {"shop": "/", "baseline": "/"}, "page"),
        Row("catalog page 1", {"shop": "/products/", "baseline": "/products/"}, "page"),
        Row(f"catalog page {deep}", {"shop": f"/products/?page={deep}",
                                     "baseline": f"/products/?page={max(1, deep * 12 // 20)}"},
            "page"),
        Row("product", {"shop": product, "baseline": product}, "page"),
        *search_rows(products, suffix),
        Row("cart (2 items)", {"shop": "/cart", "baseline": "/"}, "",
            headers={"shop": {"Cookie": cart_cookie}}),
        Row("api /api/v1/products", {"shop": "/api/v1/products", "baseline": "/api/products"}),
        # The same page with and without analytics, in turns: the ratio is on / off.
        Row("product, analytics off", {"shop-analytics-off": product, "shop": product},
            "analytics"),
    ]
    return rows


def search_rows(products: int, suffix: str = "") -> list[Row]:
    one = f"/products/?q={max(1, products // 3)}"
    return [Row(f"search one hit{suffix}", {"shop": one, "baseline": one},
                "search"),
            Row(f"search 'silver'{suffix}", {"shop": "/products/?q=silver",
                                            "baseline": "/products/?q=silver"}, "search")]


def warm(servers: dict, rows: list[Row]) -> None:
    """A few requests per page and server before measuring (templates, caches, connections)."""
    for row in rows:
        for name, path in row.paths.items():
            browser = Browser(servers[name].port)
            for _ in range(6):
                browser.request("GET", path, headers=row.headers.get(name))
            browser.close()


def measure(servers: dict, rows: list[Row], rounds: int, seconds: float, log=print) -> None:
    """Run wrk on every row and server, `rounds` times, alternating the servers."""
    warm(servers, rows)
    for round_no in range(rounds):
        for row in rows:
            names = list(row.paths)
            for name in names if round_no % 2 == 0 else reversed(names):
                url = servers[name].url + row.paths[name]
                result = wrk.run(url, seconds=seconds, headers=row.headers.get(name))
                row.runs.setdefault(name, []).append(result)
                servers[name].sample_memory()
            log(f"bench: round {round_no + 1}/{rounds} {row.label}: " + ", ".join(
                f"{n} {row.runs[n][-1]['rps']:.0f}/s p99 {row.runs[n][-1]['p99_ms']:.0f} ms"
                for n in names))


def cart_cookie(port: int, slugs: list[str]) -> str:
    """A buyer's session with one item of each product in its cart (added through the form)."""
    browser = Browser(port)
    for slug in slugs:
        page = browser.get(f"/products/{slug}")
        form = form_with(page.body, "variant_id", "/cart")
        added = browser.post(form.action or "/cart/items", {**form.fields, "quantity": 1})
        if added.status >= 400:
            raise RuntimeError(f"adding {slug} to the cart answered {added.status}")
    browser.close()
    return browser.cookie_header()
