"""Helpers of the analytics tests: a browser's headers and the flushed events."""

import pytest
from sqlalchemy import select

from store import analytics
from store.extensions import db
from store.models.analytics import AnalyticsEvent

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}


@pytest.fixture
def recorded(app):
    """Flush the buffer and return every recorded event, oldest first."""

    def events() -> list[AnalyticsEvent]:
        analytics.flush(app)
        db.session.rollback()
        return list(db.session.scalars(select(AnalyticsEvent).order_by(AnalyticsEvent.id)))

    return events
