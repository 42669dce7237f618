"""Reports for the dashboard: revenue, orders by status, stock to watch, best sellers.

Revenue is the total of orders whose money the shop kept: status paid, shipped or delivered.
Pending orders are not paid yet; cancelled and refunded orders gave the money back (a refund
takes an order out of the revenue of the day it was paid). An order counts on the day it was
paid (`paid_at`, or `created_at` for an order without one), in UTC days. Revenue and the
counts by status are read from the order rollups (store.models.rollups), kept in step with
the orders, so the dashboard costs the same at a million orders as at ten; the lists (orders
to ship, low stock) are indexed queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from store.accounts.customers import REVENUE_STATUSES
from store.database import write_transaction
from store.extensions import db
from store.models import (
    Order,
    OrderRollup,
    Product,
    ProductSalesRollup,
    SalesWindow,
    SalesWindowStart,
    Variant,
    rollups,
)
from store.models.base import utcnow
from store.orders.services import STATUSES

CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of a day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def daily_figures(days: int = 30, today: date | None = None
                  ) -> list[tuple[date, Decimal, int]]:
    """Revenue and revenue orders per UTC day for the last `days` days (today included).

    Read from the rollups (one row per day and status): days without sales are zeros.
    """
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(OrderRollup.day, func.sum(OrderRollup.total), func.sum(OrderRollup.orders))
        .where(OrderRollup.status.in_(REVENUE_STATUSES), OrderRollup.day >= first,
               OrderRollup.day <= today)
        .group_by(OrderRollup.day)
    ).all()
    by_day = {d: (_money(total), int(count)) for d, total, count in rows}
    result = []
    for i in range(days):
        current = first + timedelta(days=i)
        total, count = by_day.get(current, (_money(0), 0))
        result.append((current, total, count))
    return result


def daily_revenue(days: int = 30, today: date | None = None) -> list[tuple[date, Decimal]]:
    """Revenue per UTC day for the last `days` days (today included), zeros filled in."""
    return [(day, total) for day, total, _count in daily_figures(days, today)]


def orders_by_status() -> dict[str, int]:
    """How many orders are in each status (every status listed, zeros included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in db.session.execute(
            select(OrderRollup.status, func.sum(OrderRollup.orders))
            .group_by(OrderRollup.status)):
        counts[status] = int(count or 0)
    return counts


def awaiting_shipment(limit: int = 10) -> list[Order]:
    """Paid orders not shipped yet, oldest payment first."""
    return list(db.session.scalars(
        select(Order).where(Order.status == "paid")
        .order_by(Order.paid_at, Order.id).limit(limit)))  # ix_order_status_paid


def _restock_first():
    """Variants needing restock (store.inventory.levels' rule), emptiest first.

    The product's `active` is asked with EXISTS rather than a join, so the database walks
    ix_variant_stock_sku from the emptiest variant and stops at the LIMIT, instead of
    starting from every active product and sorting all their variants.
    """
    return (select(Variant)
            .where(Variant.active.is_(True), Variant.is_low_stock,
                   Variant.product.has(Product.active.is_(True)))
            .order_by(Variant.stock, Variant.sku))


def low_stock(limit: int = 20) -> list[Variant]:
    """Active variants of active products at or under their low-stock threshold, emptiest first."""
    return list(db.session.scalars(
        _restock_first().options(joinedload(Variant.product)).limit(limit)))


LOW_STOCK_CAP = 1000


def low_stock_count(cap: int = LOW_STOCK_CAP) -> int:
    """How many active variants are at or under their threshold, counting no further than
    `cap` + 1 (the dashboard shows "1000+"): a long list needs no exact figure, and the count
    then stops early on the stock index instead of reading every variant."""
    matching = _restock_first().with_only_columns(Variant.id).limit(cap + 1).subquery()
    return int(db.session.scalar(select(func.count()).select_from(matching)))


@dataclass(frozen=True)
class TopProduct:
    """A product's sales over a period."""

    name: str
    quantity: int
    revenue: Decimal


def top_products(days: int = 30, limit: int = 10, now: datetime | None = None
                 ) -> list[TopProduct]:
    """Best-selling products by units over the last `days` days (revenue orders only).

    Lines are grouped by the product name they were sold under, so a product deleted since
    still shows; read from the product sales rollups (one row per day and name).
    """
    now = now or utcnow()
    since = now.date() - timedelta(days=days - 1)
    if days == rollups.WINDOW_DAYS:
        # The running window: moved on (a write) only on the first view of a new day.
        if db.session.scalar(select(SalesWindowStart.first_day)) != since:
            with write_transaction():
                rollups.slide_sales_window(db.session.connection(), since)
        window = SalesWindow
        rows = db.session.execute(
            select(window.product_name, window.quantity, window.revenue)
            .where(window.quantity > 0)
            .order_by(window.quantity.desc(), window.product_name).limit(limit)).all()
    else:
        sales = ProductSalesRollup
        quantity = func.sum(sales.quantity)
        rows = db.session.execute(
            select(sales.product_name, quantity.label("quantity"),
                   func.sum(sales.revenue).label("revenue"))
            .where(sales.day >= since, sales.day <= now.date())
            .group_by(sales.product_name)
            .having(quantity > 0)
            .order_by(quantity.desc(), sales.product_name)
            .limit(limit)
        ).all()
    return [TopProduct(name, int(qty), _money(revenue)) for name, qty, revenue in rows]


@dataclass
class Dashboard:
    """Every figure on the back-office dashboard."""

    today: date
    revenue_today: Decimal
    orders_today: int
    revenue_7_days: Decimal
    orders_7_days: int
    revenue_30_days: Decimal
    orders_30_days: int
    by_status: dict[str, int]
    awaiting: list[Order]
    low_stock: list[Variant]
    low_stock_count: int
    top_products: list[TopProduct]
    daily: list[tuple[date, Decimal]] = field(default_factory=list)
    low_stock_cap: int = LOW_STOCK_CAP

    @property
    def awaiting_count(self) -> int:
        return self.by_status.get("paid", 0)


def dashboard(now: datetime | None = None, *, revenue: bool = True) -> Dashboard:
    """Compute the dashboard's figures; "7 days" and "30 days" include today.

    Without `revenue` (a reader lacking reports-read) the money figures stay zero, the
    daily series empty and best sellers carry no revenue: nothing to leak by mistake.
    """
    now = now or utcnow()
    today = now.date()
    # One scan of the orders gives the chart and the three revenue figures.
    days = daily_figures(30, today) if revenue else []

    def period(n: int) -> tuple[Decimal, int]:
        chosen = days[-n:]
        return sum((t for _, t, _ in chosen), _money(0)), sum(c for _, _, c in chosen)

    rev_today, rev_7, rev_30 = period(1), period(7), period(30)
    return Dashboard(
        today=today,
        revenue_today=rev_today[0], orders_today=rev_today[1],
        revenue_7_days=rev_7[0], orders_7_days=rev_7[1],
        revenue_30_days=rev_30[0], orders_30_days=rev_30[1],
        by_status=orders_by_status(),
        awaiting=awaiting_shipment(),
        low_stock=low_stock(),
        low_stock_count=low_stock_count(),
        top_products=top_products(now=now) if revenue else [
            replace(p, revenue=_money(0)) for p in top_products(now=now)],
        daily=[(day, total) for day, total, _count in days],
    )


@dataclass(frozen=True)
class Bar:
    """One bar of the revenue chart, in SVG user units."""

    day: date
    value: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass
class Chart:
    """Geometry of the daily revenue bar chart (drawn by templates/admin/dashboard.html)."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    bars: list[Bar]
    maximum: Decimal
    gridlines: list[tuple[float, Decimal]]


def revenue_chart(series: list[tuple[date, Decimal]], width: int = 960, height: int = 240
                  ) -> Chart:
    """Lay out bars for a daily series; the scale starts at zero and tops at a round value."""
    left, top, bottom = 64, 12, 28
    plot_h = height - top - bottom
    plot_w = width - left - 8
    peak = max((v for _, v in series), default=Decimal(0))
    maximum = _nice_ceiling(peak)
    slot = plot_w / max(len(series), 1)
    bars = []
    for i, (day, value) in enumerate(series):
        h = float(value / maximum) * plot_h if maximum else 0.0
        bars.append(Bar(day, value, round(left + i * slot + slot * 0.15, 2),
                        round(top + plot_h - h, 2), round(slot * 0.7, 2), round(h, 2)))
    # Without revenue there is no scale to show: only the zero line.
    steps = range(5) if maximum else range(1)
    gridlines = [(round(top + plot_h - plot_h * k / 4, 2), (maximum * k / 4).quantize(CENT))
                 for k in steps]
    return Chart(width, height, top, bottom, left, bars, maximum, gridlines)


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above value (0 stays 0)."""
    if value <= 0:
        return Decimal(0)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * step
    return magnitude * 10
