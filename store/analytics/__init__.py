"""First-party shop analytics: the storefront's visits, product views, cart adds, checkout
starts and purchases, recorded by the server without third-party scripts or raw IPs.

recording (what a response means), visits (session key, landing, referrer, campaign, bots
and Global Privacy Control), consent (the owner's switch), buffer (batches written off the
request), rollup (daily rows and pruning, `flask analytics rollup`), reports (the back
office's figures), cli.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac

from store.analytics.buffer import Recorder
from store.analytics.recording import EXTENSION, record_response


def init_app(app) -> None:
    """Buffer the storefront's events for this app, and write what is left at exit."""
    recorder = Recorder(app)
    recorder.enabled = bool(app.config.get("STORE_ANALYTICS_ENABLED", True))
    recorder.salt = app.config.get("STORE_ANALYTICS_SALT") or hmac.new(
        str(app.config["SECRET_KEY"]).encode(), b"simplestore-analytics",
        hashlib.sha256).hexdigest()
    app.extensions[EXTENSION] = recorder
    app.after_request(record_response)
    if not app.testing:
        atexit.register(recorder.flush)


def flush(app) -> int:
    """Write the app's buffered events now (tests and commands); returns how many."""
    return app.extensions[EXTENSION].flush()
