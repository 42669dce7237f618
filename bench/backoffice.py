"""The back office at scale: the owner signs in over HTTP, then each list is timed in turn."""

from __future__ import annotations

import statistics

from bench.browser import Browser, form_with

PAGES = (("admin orders", "/admin/order/"), ("admin products", "/admin/product/"),
         ("admin dashboard", "/admin/"),
         ("admin orders, number search", "/admin/order/?search=SS-AB"),
         ("admin orders, email search", "/admin/order/?search=buyer12345@"),
         ("admin orders, paid filter", "/admin/order/?flt0_status_equals=paid"))


def sign_in(port: int, email: str, password: str) -> Browser:
    """A browser signed in as email through the sign-in form (CSRF scraped)."""
    browser = Browser(port)
    page = browser.get("/login")
    form = form_with(page.body, "password")
    answer = browser.post(form.action or "/login",
                          {**form.fields, "email": email, "password": password})
    if answer.status not in (302, 303) or "/login" in answer.location:
        raise RuntimeError(f"the owner could not sign in: HTTP {answer.status} "
                           f"to {answer.location or '-'}")
    return browser


def time_pages(browser: Browser, requests: int = 20) -> dict[str, dict]:
    """Median and p99 (ms) of `requests` sequential GETs of each page, after one warm-up."""
    samples: dict[str, list[float]] = {label: [] for label, _ in PAGES}
    for _label, path in PAGES:
        first = browser.get(path)
        if first.status != 200:
            raise RuntimeError(f"{path} answered {first.status} to the owner")
    for _ in range(requests):  # interleaved, so drift hits every page alike
        for label, path in PAGES:
            answer = browser.get(path)
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status} to the owner")
            samples[label].append(answer.ms)
    result = {}
    for label, path in PAGES:
        values = sorted(samples[label])
        result[label] = {"path": path, "requests": len(values),
                         "median_ms": round(statistics.median(values), 2),
                         "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))], 2)}
    return result
