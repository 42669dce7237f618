"""Order rollups: how many orders, for how much, per UTC day and status, kept in step.

The dashboard reads its figures here instead of scanning the orders. An order counts in the
row of the UTC day its money came in (`paid_at`, else `created_at`) and of its current
status, with its total and what was refunded of it. The rows move in the transaction that
moves the order:

* every ORM insert, update or delete of an order (checkout's placement, every status
  change through store.orders.services.apply_transition — payment, shipping, cancel, expiry,
  a full refund — and the test factories) is caught by the mapper events below, which take
  the order out of its old row and put it into its new one;
* SQL that bypasses the ORM calls `shift_refunded` (store.orders.refunds' claim and
  unclaim) or `add_rows` (store.dev.seed_orders' bulk inserts).

`recount()` computes the same rows from the orders themselves (tests and repairs).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, String, event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.base import NO_VALUE

from store.extensions import db
from store.models.base import Money
from store.models.orders import Order, OrderLine

ZERO = Decimal("0.00")
# The dashboard's best sellers cover this many days, today included.
WINDOW_DAYS = 30
# The statuses whose money the shop kept (as store.accounts.customers.REVENUE_STATUSES).
REVENUE_STATUSES = ("paid", "shipped", "delivered")
# What an order contributes: its (day, status) key, one order, its total and refunds.
_FIELDS = ("status", "paid_at", "created_at", "total", "refunded_total")


class OrderRollup(db.Model):
    """Orders of one UTC day (the day paid, else placed) in one status: count and money."""

    __tablename__ = "order_rollup"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[Money] = mapped_column(default=ZERO)
    refunded: Mapped[Money] = mapped_column(default=ZERO)


class ProductSalesRollup(db.Model):
    """Units and revenue of one product name on one UTC day, from revenue orders only (paid,
    shipped, delivered), on the day the order's money came in: the dashboard's best sellers."""

    __tablename__ = "product_sales_rollup"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    product_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[Money] = mapped_column(default=ZERO)


class SalesWindow(db.Model):
    """Units and revenue per product name over the WINDOW_DAYS days from SalesWindowStart's
    first day: those days' product sales rollups summed, so the best sellers are read off
    an index instead of adding up a month of rows on every view."""

    __tablename__ = "sales_window"
    __table_args__ = (Index("ix_sales_window_quantity", "quantity"),)

    product_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[Money] = mapped_column(default=ZERO)


class SalesWindowStart(db.Model):
    """The first day of the sales window (one row, id 1); none until the window is built."""

    __tablename__ = "sales_window_start"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of a timestamp (naive ones, as SQLite returns them, are UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def key_of(status: str, paid_at: datetime | None, created_at: datetime) -> tuple[date, str]:
    """The rollup row an order in `status`, paid and placed at those times, counts in."""
    return utc_day(paid_at or created_at), status


Deltas = dict[tuple[date, str], list]


def _add(deltas: Deltas, values: dict, sign: int) -> None:
    key = key_of(values["status"], values["paid_at"], values["created_at"])
    entry = deltas.setdefault(key, [0, ZERO, ZERO])
    entry[0] += sign
    entry[1] += sign * Decimal(values["total"] or 0)
    entry[2] += sign * Decimal(values["refunded_total"] or 0)


def _upsert(connection, table, keys: tuple[str, ...], deltas: dict) -> None:
    """Add each delta (a list of numbers, in the table's value columns' order) to its row
    (keyed by `keys`), creating missing rows; all-zero deltas are skipped."""
    deltas = {k: v for k, v in deltas.items() if any(v)}
    if not deltas:
        return
    values = [c.name for c in table.columns if c.name not in keys]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    sums = {name: table.c[name] + stmt.excluded[name] for name in values}
    sums.update({name: func.round(sums[name], 2) for name in values
                 if not isinstance(table.c[name].type, Integer)})
    connection.execute(
        stmt.on_conflict_do_update(index_elements=[table.c[k] for k in keys], set_=sums),
        [dict(zip(keys + tuple(values), (*key, *delta), strict=True))
         for key, delta in sorted(deltas.items())])


def add_rows(connection, deltas: Deltas) -> None:
    """Add (orders, total, refunded) deltas to their order rollup rows."""
    _upsert(connection, OrderRollup.__table__, ("day", "status"), deltas)


def add_sales(connection, deltas: dict[tuple[date, str], list]) -> None:
    """Add (quantity, revenue) deltas to their product sales rows, and to the sales window
    when their day is in it."""
    _upsert(connection, ProductSalesRollup.__table__, ("day", "product_name"), deltas)
    start = connection.scalar(select(SalesWindowStart.first_day)
                              .where(SalesWindowStart.id == 1).with_for_update(read=True))
    if start is None or not any(v[0] or v[1] for v in deltas.values()):
        return
    last = start + timedelta(days=WINDOW_DAYS - 1)
    inside: dict = {}
    for (day, name), (quantity, revenue) in deltas.items():
        if start <= day <= last:
            entry = inside.setdefault((name,), [0, ZERO])
            entry[0] += quantity
            entry[1] += revenue
    _upsert(connection, SalesWindow.__table__, ("product_name",), inside)


def slide_sales_window(connection, first_day: date) -> None:
    """Make the sales window start on `first_day`: take out the days that left it, add the
    days that entered (or rebuild it when none overlap). Locks the window's start row."""
    start = connection.scalar(select(SalesWindowStart.first_day)
                              .where(SalesWindowStart.id == 1).with_for_update())
    if start == first_day:
        return
    span = timedelta(days=WINDOW_DAYS - 1)
    sales = ProductSalesRollup.__table__
    if start is None or abs((first_day - start).days) >= WINDOW_DAYS:
        connection.execute(SalesWindow.__table__.delete())
        connection.execute(SalesWindow.__table__.insert().from_select(
            ["product_name", "quantity", "revenue"],
            select(sales.c.product_name, func.sum(sales.c.quantity), func.sum(sales.c.revenue))
            .where(sales.c.day.between(first_day, first_day + span))
            .group_by(sales.c.product_name)))
    else:
        leaving = (start, first_day - timedelta(days=1)) if start < first_day else (
            first_day + span + timedelta(days=1), start + span)
        entering = (start + span + timedelta(days=1), first_day + span) if start < first_day \
            else (first_day, start - timedelta(days=1))
        moved: dict = {}
        for (low, high), sign in ((leaving, -1), (entering, 1)):
            for name, quantity, revenue in connection.execute(
                    select(sales.c.product_name, sales.c.quantity, sales.c.revenue)
                    .where(sales.c.day.between(low, high))):
                entry = moved.setdefault((name,), [0, ZERO])
                entry[0] += sign * quantity
                entry[1] += sign * Decimal(revenue)
        _upsert(connection, SalesWindow.__table__, ("product_name",), moved)
    table = SalesWindowStart.__table__
    if start is None:
        connection.execute(table.insert().values(id=1, first_day=first_day))
    else:
        connection.execute(table.update().where(table.c.id == 1).values(first_day=first_day))


def shift_refunded(session, order_id: int, amount: Decimal) -> None:
    """An order's refunded_total moved by `amount` in SQL (no ORM): move its row's too."""
    row = session.execute(select(Order.status, Order.paid_at, Order.created_at)
                          .where(Order.id == order_id)).one()
    add_rows(session.connection(), {key_of(*row): [0, ZERO, Decimal(amount)]})


def _values(target: Order) -> dict:
    return {name: getattr(target, name) for name in _FIELDS}


@event.listens_for(Order, "after_insert")
def _order_inserted(_mapper, connection, target: Order) -> None:
    deltas: Deltas = {}
    _add(deltas, _values(target), 1)
    add_rows(connection, deltas)


@event.listens_for(Order, "after_delete")
def _order_deleted(_mapper, connection, target: Order) -> None:
    deltas: Deltas = {}
    _add(deltas, _values(target), -1)
    add_rows(connection, deltas)


@event.listens_for(Order, "before_update")
def _order_updated(_mapper, connection, target: Order) -> None:
    """Take the order out of the row it was in and add it to the row it is in now."""
    state = sa_inspect(target)
    changed = [name for name in _FIELDS if name in state.committed_state]
    if not changed:
        return
    before, after = {}, {}
    for name in _FIELDS:
        if name in state.dict:
            after[name] = state.dict[name]
        old = state.committed_state.get(name, NO_VALUE) if name in changed else (
            state.dict.get(name, NO_VALUE))
        if old is not NO_VALUE:
            before[name] = old
    if len(before) < len(_FIELDS) or len(after) < len(_FIELDS):
        # An old value was never loaded: read the row as it still is.
        table = Order.__table__
        row = connection.execute(select(*(table.c[n] for n in _FIELDS))
                                 .where(table.c.id == target.id)).one()
        for name, value in zip(_FIELDS, row, strict=True):
            before.setdefault(name, value)
            after.setdefault(name, value)
    deltas: Deltas = {}
    _add(deltas, before, -1)
    _add(deltas, after, 1)
    add_rows(connection, deltas)
    old, new = _sales_day(before), _sales_day(after)
    if old != new:
        _move_sales(connection, target.id, old, new)


def _sales_day(values: dict) -> date | None:
    """The day an order's lines count as sold, None while it is not revenue."""
    if values["status"] not in REVENUE_STATUSES:
        return None
    return key_of(values["status"], values["paid_at"], values["created_at"])[0]


def _move_sales(connection, order_id: int, old: date | None, new: date | None) -> None:
    """Move an order's lines from the sales of day `old` to those of day `new` (None: not
    sold)."""
    table = OrderLine.__table__
    sales: dict = {}
    for name, quantity, total in connection.execute(
            select(table.c.product_name, table.c.quantity, table.c.line_total)
            .where(table.c.order_id == order_id)):
        for day, sign in ((old, -1), (new, 1)):
            if day is not None:
                entry = sales.setdefault((day, name), [0, ZERO])
                entry[0] += sign * quantity
                entry[1] += sign * Decimal(total)
    add_sales(connection, sales)


def _line_sold(connection, line: OrderLine, sign: int) -> None:
    """A line added to (1) or deleted from (-1) an order: its sales, if the order is sold."""
    order = sa_inspect(line).dict.get("order")
    names = ("status", "paid_at", "created_at")
    known = sa_inspect(order).dict if order is not None else {}
    if known.get("status", REVENUE_STATUSES[0]) not in REVENUE_STATUSES:
        return  # not sold (yet): a pending order's lines, as at checkout
    if all(name in known for name in names):
        values = {name: known[name] for name in names}
    else:
        table = Order.__table__
        row = connection.execute(select(*(table.c[n] for n in names))
                                 .where(table.c.id == line.order_id)).one_or_none()
        if row is None:
            return
        values = dict(zip(names, row, strict=True))
    day = _sales_day(values)
    if day is not None:
        add_sales(connection, {(day, line.product_name):
                               [sign * line.quantity, sign * Decimal(line.line_total)]})


@event.listens_for(OrderLine, "after_insert")
def _line_inserted(_mapper, connection, target: OrderLine) -> None:
    _line_sold(connection, target, 1)


@event.listens_for(OrderLine, "before_delete")
def _line_deleted(_mapper, connection, target: OrderLine) -> None:
    _line_sold(connection, target, -1)


def recount() -> dict[tuple[date, str], tuple[int, Decimal, Decimal]]:
    """The rollup rows computed from the orders themselves: {(day, status): (n, total,
    refunded)}, rows of no orders left out."""
    counted: dict = defaultdict(lambda: [0, ZERO, ZERO])
    for status, paid_at, created_at, total, refunded in db.session.execute(
            select(Order.status, Order.paid_at, Order.created_at, Order.total,
                   Order.refunded_total)):
        entry = counted[key_of(status, paid_at, created_at)]
        entry[0] += 1
        entry[1] += Decimal(total or 0)
        entry[2] += Decimal(refunded or 0)
    return {k: (n, t.quantize(Decimal("0.01")), r.quantize(Decimal("0.01")))
            for k, (n, t, r) in counted.items()}


def stored() -> dict[tuple[date, str], tuple[int, Decimal, Decimal]]:
    """The rollup rows as stored, in recount()'s shape (empty rows left out)."""
    return {(row.day, row.status): (row.orders, Decimal(row.total).quantize(Decimal("0.01")),
                                    Decimal(row.refunded).quantize(Decimal("0.01")))
            for row in db.session.scalars(select(OrderRollup)) if row.orders}


def recount_sales() -> dict[tuple[date, str], tuple[int, Decimal]]:
    """The product sales rows computed from the orders' lines: {(day, name): (units,
    revenue)}, empty rows left out."""
    counted: dict = defaultdict(lambda: [0, ZERO])
    for name, quantity, total, status, paid_at, created_at in db.session.execute(
            select(OrderLine.product_name, OrderLine.quantity, OrderLine.line_total,
                   Order.status, Order.paid_at, Order.created_at)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_(REVENUE_STATUSES))):
        entry = counted[(key_of(status, paid_at, created_at)[0], name)]
        entry[0] += quantity
        entry[1] += Decimal(total)
    return {k: (q, r.quantize(Decimal("0.01"))) for k, (q, r) in counted.items() if q}


def stored_sales() -> dict[tuple[date, str], tuple[int, Decimal]]:
    """The product sales rows as stored, in recount_sales()'s shape."""
    return {(row.day, row.product_name): (row.quantity,
                                          Decimal(row.revenue).quantize(Decimal("0.01")))
            for row in db.session.scalars(select(ProductSalesRollup)) if row.quantity}
