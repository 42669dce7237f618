"""Daily figures from raw events, the daily rollup and the pruning of old raw events.

`daily_figures()` is the one aggregation: the rollup stores its rows and the reports compute
the same rows from raw events for the days not rolled up yet, so both agree. Sessions are
distinct per day (a visit across midnight counts on both days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, distinct, func, insert, literal_column, select

from store.database import write_transaction
from store.extensions import db
from store.models import Order, OrderLine, Variant
from store.models.analytics import AnalyticsDaily, AnalyticsEvent, AnalyticsRolledDay

E = AnalyticsEvent
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figure:
    """One day's count of events and distinct sessions (and revenue) for one value."""

    day: date
    kind: str
    dimension: str
    value: str
    sessions: int
    events: int
    revenue: Decimal


def _window(query, start: date, end: date, skip_rolled: bool):
    query = query.where(E.day >= start, E.day <= end)
    if skip_rolled:
        query = query.where(E.day.not_in(select(AnalyticsRolledDay.day)))
    return query


def _grouped(dimension: str, column, start, end, skip_rolled, where=()):
    keys = (E.day, E.kind) if column is None else (E.day, E.kind, column)
    query = (select(E.day, E.kind, literal_column("''") if column is None else column,
                    func.count(distinct(E.session_key)), func.count(E.id),
                    func.coalesce(func.sum(Order.total), 0))
             .outerjoin(Order, Order.id == E.order_id).where(*where).group_by(*keys))
    return [Figure(day, kind, dimension, str(value or ""), sessions, events,
                   Decimal(revenue).quantize(Decimal("0.01")))
            for day, kind, value, sessions, events, revenue
            in db.session.execute(_window(query, start, end, skip_rolled))]


def _product_purchases(start, end, skip_rolled) -> list[Figure]:
    """Orders (and their line revenue) per product bought, from the purchases' lines."""
    query = (select(E.day, Variant.product_id, func.count(distinct(E.session_key)),
                    func.count(distinct(E.order_id)), func.sum(OrderLine.line_total))
             .join(OrderLine, OrderLine.order_id == E.order_id)
             .join(Variant, Variant.id == OrderLine.variant_id)
             .where(E.kind == "purchase").group_by(E.day, Variant.product_id))
    return [Figure(day, "purchase", "product", str(product_id), sessions, orders,
                   Decimal(revenue or 0).quantize(Decimal("0.01")))
            for day, product_id, sessions, orders, revenue
            in db.session.execute(_window(query, start, end, skip_rolled))]


def daily_figures(start: date, end: date, skip_rolled: bool = False) -> list[Figure]:
    """Every figure of the days from start to end (inclusive) computed from raw events."""
    # Inline separators: PostgreSQL would not match a bound one in GROUP BY to the SELECT's.
    sep = literal_column("' / '")
    campaign = E.utm_source + sep + E.utm_medium + sep + E.utm_campaign
    return (_grouped("total", None, start, end, skip_rolled)
            + _grouped("source", E.referrer_host, start, end, skip_rolled)
            + _grouped("campaign", campaign, start, end, skip_rolled, (E.utm_source != "",))
            + _grouped("product", E.product_id, start, end, skip_rolled,
                       (E.product_id.is_not(None), E.kind.in_(("view", "cart_add"))))
            + _product_purchases(start, end, skip_rolled))


@dataclass(frozen=True)
class RollupResult:
    """What a rollup did: days rolled up, rows written, raw events pruned."""

    days: int
    rows: int
    pruned: int


def rollup(retention_days: int, today: date | None = None) -> RollupResult:
    """Roll every complete day that has raw events into daily rows (replacing that day's
    rows, so running twice gives the same figures), then prune raw events older than
    `retention_days` (their days are rolled up by then). Commits."""
    today = today or datetime.now(UTC).date()
    cutoff = today - timedelta(days=max(1, retention_days))
    with write_transaction():
        days = sorted(db.session.scalars(select(distinct(E.day)).where(E.day < today)))
        rows = 0
        for day in days:
            figures = daily_figures(day, day)
            db.session.execute(delete(AnalyticsDaily).where(AnalyticsDaily.day == day))
            if figures:
                db.session.execute(insert(AnalyticsDaily), [f.__dict__ for f in figures])
            db.session.execute(delete(AnalyticsRolledDay).where(AnalyticsRolledDay.day == day))
            db.session.add(AnalyticsRolledDay(day=day))
            rows += len(figures)
        pruned = db.session.execute(delete(E).where(E.day < cutoff)).rowcount or 0
    return RollupResult(len(days), rows, pruned)


def rolled_figures(start: date, end: date) -> list[Figure]:
    """The rollup rows of the days from start to end."""
    rows = db.session.scalars(select(AnalyticsDaily).where(
        AnalyticsDaily.day >= start, AnalyticsDaily.day <= end))
    return [Figure(r.day, r.kind, r.dimension, r.value, r.sessions, r.events, r.revenue)
            for r in rows]
