"""The back office's analytics report for a period: funnel, sources, campaigns, products
viewed but rarely bought, revenue by source, the daily series, and its CSV.

Rolled-up days are read from their daily rows, the rest from raw events (the same
aggregation, store.analytics.rollup.daily_figures).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from store.analytics.rollup import ZERO, Figure, daily_figures, rolled_figures
from store.errors import ValidationFailed
from store.extensions import db
from store.models import Product
from store.reports.spreadsheet import safe_row

FUNNEL = (("view", "Product views"), ("cart_add", "Cart adds"),
          ("checkout", "Checkout starts"), ("purchase", "Purchases"))
MAX_DAYS = 366
TOP = 10


@dataclass(frozen=True)
class Period:
    """The days of a report, both inclusive (UTC)."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def parse_period(start: str | None, end: str | None, today: date | None = None) -> Period:
    """The period picked in the form: two ISO dates (the last 30 days when unset)."""
    today = today or datetime.now(UTC).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError as exc:
        raise ValidationFailed("Dates look like 2026-01-31.") from exc
    if first > last:
        raise ValidationFailed("The period starts after it ends.")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"Pick at most {MAX_DAYS} days.")
    return Period(first, last)


@dataclass
class Step:
    """One step of the funnel: sessions that reached it and the rates to get there."""

    kind: str
    label: str
    sessions: int
    from_previous: Decimal | None
    from_first: Decimal | None


@dataclass
class Row:
    """A source, campaign or product with its sessions, events and revenue per kind."""

    value: str
    label: str
    sessions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    events: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    revenue: Decimal = ZERO

    def rate(self, kind: str, of: str) -> Decimal | None:
        return _rate(self.events[kind], self.events[of])


@dataclass
class Report:
    """Everything the analytics page and its CSV show."""

    period: Period
    funnel: list[Step]
    sources: list[Row]
    campaigns: list[Row]
    products: list[Row]
    daily: list[tuple[date, int, int]]
    revenue: Decimal


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _rows(figures: list[Figure], dimension: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for f in figures:
        if f.dimension != dimension:
            continue
        row = rows.setdefault(f.value, Row(f.value, f.value))
        row.sessions[f.kind] += f.sessions
        row.events[f.kind] += f.events
        if f.kind == "purchase":
            row.revenue += f.revenue
    return rows


def _funnel(total: Row) -> list[Step]:
    steps, previous, first = [], None, None
    for kind, label in FUNNEL:
        sessions = total.sessions[kind]
        steps.append(Step(kind, label, sessions,
                          None if previous is None else _rate(sessions, previous),
                          None if first is None else _rate(sessions, first)))
        previous = sessions
        first = sessions if first is None else first
    return steps


def _products(figures: list[Figure]) -> list[Row]:
    """Products viewed most, fewest purchases per view first among them."""
    rows = _rows(figures, "product")
    viewed = sorted((r for r in rows.values() if r.events["view"]),
                    key=lambda r: -r.events["view"])[: TOP * 3]
    ids = [int(r.value) for r in viewed]
    names = dict(db.session.execute(select(Product.id, Product.name)
                                    .where(Product.id.in_(ids))).all()) if ids else {}
    for row in viewed:
        row.label = names.get(int(row.value), f"Product #{row.value} (deleted)")
    viewed.sort(key=lambda r: (r.events["purchase"] / r.events["view"], -r.events["view"]))
    return viewed[:TOP]


def build_report(period: Period) -> Report:
    """The report of a period: rollups for rolled-up days, raw events for the others."""
    figures = (rolled_figures(period.start, period.end)
               + daily_figures(period.start, period.end, skip_rolled=True))
    total = _rows(figures, "total").get("", Row("", "All"))
    by_day: dict[date, list[int]] = {day: [0, 0] for day in period.days}
    for f in figures:
        if f.dimension == "total" and f.kind in ("view", "purchase") and f.day in by_day:
            by_day[f.day][0 if f.kind == "view" else 1] += f.events
    sources = sorted(_rows(figures, "source").values(),
                     key=lambda r: (-r.sessions["visit"], -r.revenue, r.value))
    campaigns = sorted(_rows(figures, "campaign").values(),
                       key=lambda r: (-r.sessions["visit"], -r.revenue, r.value))
    return Report(period, _funnel(total), sources[:TOP * 2], campaigns[:TOP * 2],
                  _products(figures), [(d, v, p) for d, (v, p) in by_day.items()],
                  total.revenue)


def _csv_lines(report: Report):
    period = f"{report.period.start.isoformat()} to {report.period.end.isoformat()}"
    yield "period", period, "days", len(report.period.days)
    for step in report.funnel:
        yield "funnel", step.label, "sessions", step.sessions
        if step.from_previous is not None:
            yield "funnel", step.label, "percent_of_previous_step", str(step.from_previous)
    yield "revenue", "All", "revenue", str(report.revenue)
    metrics = (("visits", "visit", "sessions"), ("product_views", "view", "events"),
               ("cart_adds", "cart_add", "events"), ("checkout_starts", "checkout", "sessions"),
               ("purchases", "purchase", "events"))
    for section, rows in (("source", report.sources), ("campaign", report.campaigns),
                          ("product", report.products)):
        for row in rows:
            for name, kind, counted in metrics:
                yield section, row.label, name, getattr(row, counted)[kind]
            yield section, row.label, "revenue", str(row.revenue)
    for day, views, purchases in report.daily:
        yield "day", day.isoformat(), "product_views", views
        yield "day", day.isoformat(), "purchases", purchases


def report_csv(report: Report) -> str:
    """The report as CSV, one figure a line (section, name, metric, value), spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "metric", "value"])
    writer.writerows(safe_row(line) for line in _csv_lines(report))
    return out.getvalue()
