"""Structured logs: one JSON line per request, and every other log record as JSON too.

Each request gets an id: the one a trusted proxy sent in X-Request-ID (when it looks like
one), else a new random one. It is returned in the X-Request-ID header, printed on the error
page so a customer can quote it, and written on every log line of the request. The request
line holds no personal data and no secrets: the path without its query string (guest order
links carry a token there), the user's id (never an email), the status and the duration.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask_login import current_user

REQUEST_LOG = logging.getLogger("store.request")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Attributes every LogRecord has; anything else was passed in `extra=` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id  # `extra` below may name it too
        entry.update({key: value for key, value in vars(record).items()
                      if key not in _STANDARD and not key.startswith("_")})
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(json_lines: bool, level: str = "INFO") -> None:
    """Send every log record to stderr, as JSON lines or as plain text; once per process."""
    root = logging.getLogger()
    if any(getattr(handler, "_store_handler", False) for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._store_handler = True
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # The app writes its own request line (with the request id); werkzeug's would repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _new_request_id() -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex


def request_id() -> str:
    """This request's id."""
    if "request_id" not in g:
        g.request_id = _new_request_id()
    return g.request_id


def _start() -> None:
    # Set afresh on every request: an app context (and its `g`) may outlive one request.
    g.request_started = time.perf_counter()
    g.request_id = _new_request_id()


def _finish(response):
    response.headers["X-Request-ID"] = request_id()
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    # The numeric id: Flask-Security's get_id() is the session-bearing fs_uniquifier.
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    status = response.status_code
    level = logging.ERROR if status >= 500 else logging.INFO
    REQUEST_LOG.log(level, "%s %s %s", request.method, request.path, status, extra={
        "request_id": request_id(), "method": request.method, "path": request.path,
        "endpoint": request.endpoint, "status": status, "duration_ms": duration_ms,
        "user_id": user_id,
    })
    return response


def init_app(app: Flask) -> None:
    """Request ids and the request log line; the log format (JSON in production)."""
    log_format = app.config.get("STORE_LOG_FORMAT") or (
        "json" if app.config.get("STORE_ENV") == "production" else "text")
    if not app.testing or os.environ.get("STORE_LOG_FORMAT"):
        configure_logging(log_format == "json", app.config.get("STORE_LOG_LEVEL", "INFO"))
    app.before_request(_start)
    app.after_request(_finish)
    app.jinja_env.globals["request_id"] = request_id
