"""The catalog's version: what the storefront's cached page fragments are keyed on.

Every worker already reads the settings row's `version` once per request (store.settings);
a change to anything a catalog page shows bumps that same number in the transaction of the
change, so every worker sees the change on its next request, with no extra query and no
Redis. What counts as a change:

- an ORM insert, update or delete of a product, variant, image, category or tax rate (the
  domain services, the CSV import and the back office all save that way);
- a bulk UPDATE/DELETE/INSERT statement on those tables, except the stock ledger's own
  `stock = stock + delta`, which reports through `stock_moved` instead;
- `stock_moved`: a stock change that touches the low or out-of-stock range of its variant
  (status or "only N left" changes); a change between two in-stock counts is not one.

The bump is one UPDATE run just before the transaction commits, so it is the last lock a
transaction takes (two checkouts can never wait for each other through it).
"""

from __future__ import annotations

from sqlalchemy import Delete, Insert, Update, and_, event, exists, or_, select, update
from sqlalchemy.orm import Session

from store.models import Category, Product, ProductImage, StoreSettings, TaxRate, Variant
from store.models.settings import SETTINGS_ID

WATCHED = (Product, Variant, ProductImage, Category, TaxRate)
WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)
# session.info keys: a change seen in this transaction, and stock moves to check.
CHANGED = "store_catalog_changed"
STOCK_MOVES = "store_catalog_stock_moves"


def mark_changed(session: Session) -> None:
    """Note that this transaction changes what catalog pages show (bumped at commit)."""
    session.info[CHANGED] = True


def stock_moved(session: Session, variant_id: int, before: int, after: int) -> None:
    """A variant's stock went from `before` to `after` in this transaction (the ledger)."""
    session.info.setdefault(STOCK_MOVES, []).append((variant_id, min(before, after)))


def _watched(objects) -> bool:
    return any(isinstance(obj, WATCHED) for obj in objects)


@event.listens_for(Session, "before_flush")
def _before_flush(session, _flush_context, _instances):
    if _watched(session.new) or _watched(session.deleted):
        mark_changed(session)
    elif any(isinstance(obj, WATCHED) and session.is_modified(obj) for obj in session.dirty):
        mark_changed(session)


def _is_stock_only(statement) -> bool:
    values = getattr(statement, "_values", None) or {}
    names = {getattr(key, "key", key) for key in values}
    return names == {"stock"}


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    statement = state.statement
    if not isinstance(statement, (Update, Delete, Insert)):
        return
    if statement.table.name not in WATCHED_TABLES:
        return
    if statement.table.name == Variant.__table__.name and _is_stock_only(statement):
        return  # the stock ledger: it calls stock_moved with the counts
    mark_changed(state.session)


def _bump_statement(session: Session):
    bump = (update(StoreSettings).where(StoreSettings.id == SETTINGS_ID)
            .values(version=StoreSettings.version + 1)
            .execution_options(synchronize_session=False))
    if session.info.get(CHANGED):
        return bump
    # Only when a moved variant is (or was) at or under its low-stock threshold.
    touched = or_(*(and_(Variant.id == variant_id, Variant.is_low_at(low))
                    for variant_id, low in session.info[STOCK_MOVES]))
    return bump.where(exists(select(Variant.id).where(touched)))


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session):
    session.flush()  # so that before_flush has seen the pending changes
    if not (session.info.get(CHANGED) or session.info.get(STOCK_MOVES)):
        return
    statement = _bump_statement(session)
    _forget(session)
    session.execute(statement)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(CHANGED, None)
    session.info.pop(STOCK_MOVES, None)
