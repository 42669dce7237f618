"""What every API blueprint shares: CSRF for cookie callers, problem errors, rate limits,
cursors, and the caching headers of public reads."""

from __future__ import annotations

import base64
import binascii
import math
import time

from flask import abort, current_app, request, url_for
from flask_smorest import Blueprint

from store.api.auth import before_api_request, forget_caller
from store.api.problems import from_store_error
from store.database import MAX_ROW_ID
from store.errors import StoreError
from store.extensions import csrf, limiter

BLUEPRINTS: list[Blueprint] = []
PUBLIC_MAX_AGE = 60  # seconds a public read may be reused without asking
_PUBLIC = "store.api.public"


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def api_blueprint(name: str, description: str) -> Blueprint:
    """A blueprint under /api/v1 with the API's CSRF rule, errors and rate limit."""
    bp = Blueprint(name, __name__, url_prefix="/api/v1", description=description)
    # Flask-WTF's global check is replaced by before_api_request, which exempts token requests.
    csrf.exempt(bp)
    bp.before_request(before_api_request)
    bp.teardown_request(forget_caller)
    bp.after_request(_public_caching)
    bp.after_request(_rate_limit_headers)
    bp.register_error_handler(StoreError, from_store_error)
    limiter.limit(_rate_limit)(bp)
    BLUEPRINTS.append(bp)
    return bp


def _rate_limit_headers(response):
    """The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers) beside Flask-Limiter's
    X-RateLimit-*: the limit, what is left of it, seconds until the window resets, and the
    policy as "limit;w=window-seconds"."""
    current = limiter.current_limit
    if current is None or not limiter.enabled:
        return response
    window = current.limit.get_expiry()
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(current.remaining, 0))
    seconds = min(window, max(0, math.ceil(current.reset_at - time.time())))
    response.headers["RateLimit-Reset"] = str(seconds)
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
    return response


def public() -> None:
    """Mark this response public: the same for everyone, cacheable, with an ETag."""
    request.environ[_PUBLIC] = True


def _public_caching(response):
    if request.environ.get(_PUBLIC) and response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        response.add_etag()
        response.make_conditional(request)  # 304 when If-None-Match names this ETag
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def encode_cursor(row_id: int) -> str:
    """An opaque cursor naming the last row of a page."""
    return base64.urlsafe_b64encode(f"c1:{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The row id inside a cursor, or None without one; 400 for a cursor we never made."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _sep, raw = text.partition(":")
        value = int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value, prefix = 0, ""
    if prefix != "c1" or not 0 <= value <= MAX_ROW_ID:
        abort(400, "The cursor is not valid: use the `next` link of a page.")
    return value


def next_link(endpoint: str, rows: list, limit: int, **args) -> str | None:
    """The next page's URL when this page is full (rows holds limit + 1 rows), else None."""
    if len(rows) <= limit:
        return None
    return url_for(endpoint, cursor=encode_cursor(rows[limit - 1].id), limit=limit,
                   **{k: v for k, v in args.items() if v})
