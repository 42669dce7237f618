"""Prometheus metrics at /metrics, for the shop's own monitoring (never public).

Request counts and latency by endpoint are counted in each process (under gunicorn, set
PROMETHEUS_MULTIPROC_DIR to an empty folder so the workers' counts are added up). The shop's
business gauges (orders placed, the outbox backlog and failures, variants out of stock) are
read from the database at scrape time, so every process reports the same truth.

/metrics answers only a request carrying `Authorization: Bearer <METRICS_TOKEN>`; with no
token configured it does not exist (404).
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from store.extensions import db
from store.models import EmailMessage, Order, Product, Variant

REQUESTS = Counter("store_http_requests_total", "HTTP requests answered.",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("store_http_request_duration_seconds", "Time to answer a request.",
                    ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


class ShopCollector:
    """The shop's state from the database, read when Prometheus scrapes."""

    def collect(self):
        orders = CounterMetricFamily("store_orders_placed", "Orders placed, ever.")
        orders.add_metric([], db.session.scalar(select(func.count(Order.id))) or 0)
        yield orders
        outbox = GaugeMetricFamily("store_outbox_messages", "Emails in the outbox by status.",
                                   labels=["status"])
        counts = dict(db.session.execute(
            select(EmailMessage.status, func.count(EmailMessage.id))
            .group_by(EmailMessage.status)).all())
        for status in EmailMessage.STATUSES:
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox
        stock_outs = GaugeMetricFamily("store_variants_out_of_stock",
                                       "Variants of active products with no stock on hand.")
        stock_outs.add_metric([], db.session.scalar(
            select(func.count(Variant.id)).join(Product, Variant.product_id == Product.id)
            .where(Product.active.is_(True), Variant.active.is_(True), Variant.stock <= 0)) or 0)
        yield stock_outs
        db.session.rollback()


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    endpoint = request.endpoint or "unmatched"  # bounded: never the raw path
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def _authorized() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics():
    """The metrics in Prometheus' text format, for a scraper holding the token."""
    if not _authorized():
        return Response("A metrics token is required.\n", 401,
                        {"WWW-Authenticate": 'Bearer realm="metrics"',
                         "Content-Type": "text/plain; charset=utf-8"})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(ShopCollector())
    body = generate_latest(registry)
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST,
                                "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Count every request and serve /metrics."""
    app.before_request(_start)
    app.after_request(_observe)
    app.get("/metrics")(metrics)

