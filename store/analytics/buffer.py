"""The in-process buffer: events wait in memory and are written in batches, off the request.

A background thread writes a batch when it is full or old enough; tests (and the exit
handler) call `flush()`. A failing write is logged and its events dropped: analytics never
fails or slows a page. Before writing, the owner's consent switch is read again, so events
a worker buffered before another worker turned recording off are dropped, not written.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from sqlalchemy import insert, select

from store.analytics import consent
from store.database import write_transaction
from store.extensions import db
from store.models import Order, Product, User, Variant
from store.models.analytics import AnalyticsEvent

log = logging.getLogger(__name__)


class Recorder:
    """One process's buffer of events for one app."""

    def __init__(self, app):
        self.app = app
        self.events: list[dict] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.batch_size = max(1, int(app.config["STORE_ANALYTICS_BATCH_SIZE"]))
        self.max_age = float(app.config["STORE_ANALYTICS_FLUSH_SECONDS"])
        # Writes that keep failing must not grow the buffer without end.
        self.limit = self.batch_size * 50
        self.thread: threading.Thread | None = None
        self.pid = 0
        self.consent: consent.Cached = consent.Cached()
        self.enabled = True
        self.salt = ""

    def add(self, event: dict) -> None:
        """Keep an event for the next batch (never touches the database)."""
        with self.lock:
            if len(self.events) >= self.limit:
                del self.events[: self.batch_size]
            self.events.append(event)
            full = len(self.events) >= self.batch_size
        if self.app.testing:
            return  # tests flush explicitly
        self._ensure_thread()
        if full:
            self.wake.set()

    def _ensure_thread(self) -> None:
        # A forked worker (gunicorn) has the parent's object but not its thread.
        if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
            return
        with self.lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="analytics-writer",
                                               daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            self.wake.wait(self.max_age)
            self.wake.clear()
            self.flush()
            time.sleep(0)  # let request threads in between batches

    def take(self) -> list[dict]:
        """The buffered events, leaving the buffer empty."""
        with self.lock:
            batch, self.events = self.events, []
        return batch

    def flush(self) -> int:
        """Write every buffered event now; returns how many were written (0 on failure)."""
        batch = self.take()
        if not batch:
            return 0
        try:
            with self.app.app_context():
                try:
                    if not consent.recording_on(self.consent, refresh=True):
                        return 0
                    return write_events(batch)
                finally:
                    db.session.remove()
        except Exception:  # noqa: BLE001 - a lost batch must never reach a customer
            log.exception("analytics: dropped %d events that could not be written", len(batch))
            return 0


def _existing(model, ids: set) -> set:
    return set(db.session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()


def write_events(batch: list[dict]) -> int:
    """Insert a batch of events, turning product slugs and variants into product ids.

    Ids are checked first, so that one event naming a row that is gone (an order rolled back
    after its flush, a user erased meanwhile) does not lose the whole batch.
    """
    slugs = {e["product_slug"] for e in batch if e.get("product_slug")}
    variants = {e["variant_id"] for e in batch if e.get("variant_id")}
    by_slug = dict(db.session.execute(
        select(Product.slug, Product.id).where(Product.slug.in_(slugs))).all()) if slugs else {}
    by_variant = dict(db.session.execute(
        select(Variant.id, Variant.product_id).where(Variant.id.in_(variants))).all()
    ) if variants else {}
    orders = _existing(Order, {e["order_id"] for e in batch if e.get("order_id")})
    users = _existing(User, {e["user_id"] for e in batch if e.get("user_id")})
    rows = []
    for event in batch:
        if event["kind"] == "purchase" and event.get("order_id") not in orders:
            continue
        row = {k: v for k, v in event.items() if k != "product_slug"}
        if event.get("variant_id") not in by_variant:
            row["variant_id"] = None  # none, or an id the visitor made up
        if event.get("user_id") not in users:
            row["user_id"] = None
        row["product_id"] = (by_slug.get(event.get("product_slug"))
                             or by_variant.get(event.get("variant_id")))
        rows.append(row)
    if rows:
        with write_transaction():
            db.session.execute(insert(AnalyticsEvent), rows)
    return len(rows)
