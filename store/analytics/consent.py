"""The owner's switch "record analytics": off, the storefront records nothing at all.

Requests only read a per-process copy (no query per page); the writer reads the row again
before every batch, so a worker that has not yet seen a switch-off drops what it buffered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select

from store.audit import services as audit
from store.database import write_transaction
from store.extensions import db
from store.models.analytics import ANALYTICS_SETTING_ID, AnalyticsSetting


@dataclass
class Cached:
    """One process's copy of the switch (None: not read yet, recording is the default)."""

    value: bool | None = None
    read_at: float = 0.0


def read_setting() -> bool:
    """Whether the owner lets the shop record analytics (on when never set)."""
    value = db.session.execute(
        select(AnalyticsSetting.record).where(AnalyticsSetting.id == ANALYTICS_SETTING_ID)
    ).scalar_one_or_none()
    return True if value is None else bool(value)


def recording_on(cached: Cached, refresh: bool = False) -> bool:
    """The switch as this process knows it; `refresh` reads the database (the writer does)."""
    if refresh:
        cached.value = read_setting()
        cached.read_at = time.monotonic()
    return True if cached.value is None else cached.value


def set_recording(actor, record: bool, cached: Cached | None = None) -> None:
    """Turn recording on or off for every worker (audited); commits."""
    with write_transaction():
        row = db.session.get(AnalyticsSetting, ANALYTICS_SETTING_ID)
        if row is None:
            row = AnalyticsSetting(id=ANALYTICS_SETTING_ID, record=True)
            db.session.add(row)
            db.session.flush()
        before = bool(row.record)
        row.record = record
        if before != record:
            audit.record(actor, "update", row, {"record": [before, record]},
                         summary="Analytics recording " + ("on" if record else "off"))
    if cached is not None:
        cached.value = record
        cached.read_at = time.monotonic()
