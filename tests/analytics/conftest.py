"""Helpers of the analytics tests: a browser's headers and the flushed events."""

import pytest
from sqlalchemy import select

from store import analytics
from store.extensions import db
from store.models import Order
from store.models.analytics import AnalyticsEvent
from tests.factories import make_product
from tests.shopping import (
    add_to_cart,
    checkout,
    isolated_requests,  # noqa: F401  (fixture: every request in its own app context)
)

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}


@pytest.fixture
def recorded(app):
    """Flush the buffer and return every recorded event, oldest first."""

    def events() -> list[AnalyticsEvent]:
        analytics.flush(app)
        db.session.rollback()
        return list(db.session.scalars(select(AnalyticsEvent).order_by(AnalyticsEvent.id)))

    return events


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


@pytest.fixture
def shopping(app, recorded):
    """Three visitors: one from a search engine buys the mug, one direct adds the poster and
    leaves, one from a campaign only looks at the poster."""
    mug, poster = make_product(name="Mug", price="12.00"), make_product(name="Poster")
    buyer, browser, looker = app.test_client(), app.test_client(), app.test_client()

    buyer.get("/", headers={"Referer": "https://www.search.example/?q=mug"})
    buyer.get(f"/products/{mug.slug}")
    add_to_cart(buyer, mug.variants[0].id, quantity=2)
    assert checkout(buyer).status_code == 303

    browser.get(f"/products/{mug.slug}")
    browser.get(f"/products/{poster.slug}")
    add_to_cart(browser, poster.variants[0].id)

    looker.get(f"/products/{poster.slug}?utm_source=insta&utm_medium=social&utm_campaign=may")
    looker.get(f"/products/{poster.slug}")
    recorded()
    order = db.session.scalars(db.select(Order)).one()
    return {"mug": mug, "poster": poster, "order": order}
