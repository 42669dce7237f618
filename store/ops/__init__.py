"""Running the shop in production: request logs, readiness, metrics and the reverse proxy."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from store.ops import health, logs, metrics


def init_app(app: Flask) -> None:
    """Trust the configured number of proxies, log each request, serve /readyz and /metrics."""
    proxies = int(app.config.get("STORE_PROXY_COUNT") or 0)
    if proxies > 0:
        # The client's address and scheme as the proxies in front (nginx, Caddy, a load
        # balancer) saw them: per-address rate limits must see the customer, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    logs.init_app(app)
    metrics.init_app(app)
    app.get("/readyz")(health.readyz)
