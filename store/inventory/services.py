"""Inventory: the only code that changes stock, always with a stock movement."""

from collections.abc import Iterable

from sqlalchemy import insert, select, update

from store.audit import services as audit
from store.catalog import freshness
from store.database import write_transaction
from store.errors import NotFound, OutOfStock, ValidationFailed
from store.extensions import db
from store.models import StockMovement, Variant
from store.models.base import utcnow

MANUAL_REASONS = ("restock", "correction", "damaged", "return")


def _record(variant_id: int, delta: int, stock_after: int, reason: str, *, note: str = "",
            order_id: int | None = None, user_id: int | None = None) -> StockMovement:
    movement = StockMovement(variant_id=variant_id, delta=delta, stock_after=stock_after,
                             reason=reason, note=note, order_id=order_id, user_id=user_id)
    db.session.add(movement)
    return movement


def change_stock(variant_id: int, delta: int, reason: str, *, note: str = "",
                 order_id: int | None = None, user_id: int | None = None) -> StockMovement:
    """Add delta to a variant's stock atomically and record it in the ledger.

    A negative delta only succeeds if that much is on hand (conditional UPDATE), so no
    interleaving of buyers can take stock below zero. Does not commit.
    """
    if delta == 0:
        raise ValidationFailed("A stock change of zero changes nothing.")
    stmt = (
        update(Variant)
        .where(Variant.id == variant_id)
        .values(stock=Variant.stock + delta)
        .returning(Variant.stock)
        .execution_options(synchronize_session=False)
    )
    if delta < 0:
        stmt = stmt.where(Variant.stock >= -delta)
    new_stock = db.session.execute(stmt).scalar_one_or_none()
    if new_stock is None:
        if db.session.get(Variant, variant_id) is None:
            raise NotFound("Unknown variant.")
        raise OutOfStock("Not enough stock on hand.", variant_id=variant_id)
    freshness.stock_moved(db.session(), variant_id, new_stock - delta, new_stock)
    return _record(variant_id, delta, new_stock, reason, note=note, order_id=order_id,
                   user_id=user_id)


def reserve(items: Iterable[tuple[int, int]], *, order_id: int | None, user_id: int | None,
            reason: str = "sale") -> dict[int, tuple[int, int]]:
    """Take stock for (variant_id, quantity) pairs in variant-id order.

    Returns {variant_id: (new stock, id of its stock movement)}. Each line is one
    conditional UPDATE (no interleaving of buyers takes stock below zero), in a fixed order
    that keeps concurrent checkouts from deadlocking on PostgreSQL; the ledger rows go in
    one INSERT. Raises OutOfStock naming the variant that lacks stock; the caller rolls
    back. Does not commit.
    """
    taken = []
    for variant_id, quantity in sorted(items):
        new_stock = db.session.execute(
            update(Variant)
            .where(Variant.id == variant_id, Variant.stock >= quantity)
            .values(stock=Variant.stock - quantity)
            .returning(Variant.stock)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if new_stock is None:
            if db.session.get(Variant, variant_id) is None:
                raise NotFound("Unknown variant.")
            raise OutOfStock("Not enough stock on hand.", variant_id=variant_id)
        freshness.stock_moved(db.session(), variant_id, new_stock + quantity, new_stock)
        taken.append({"variant_id": variant_id, "delta": -quantity, "stock_after": new_stock,
                      "reason": reason, "note": "", "order_id": order_id, "user_id": user_id,
                      "created_at": utcnow()})
    if not taken:
        return {}
    ids = dict(db.session.execute(
        insert(StockMovement).returning(StockMovement.variant_id, StockMovement.id),
        taken).all())
    return {row["variant_id"]: (row["stock_after"], ids[row["variant_id"]]) for row in taken}


def release(items: Iterable[tuple[int, int]], *, order_id: int | None, user_id: int | None,
            reason: str) -> None:
    """Put stock back for (variant_id, quantity) pairs (cancel, expiry). Does not commit."""
    # Lines whose variant was deleted since the sale have nothing to return to.
    returnable = sorted((v, q) for v, q in items if v is not None and q > 0)
    for variant_id, quantity in returnable:
        change_stock(variant_id, quantity, reason, order_id=order_id, user_id=user_id)


def adjust_stock(variant_id: int, *, reason: str, delta: int | None = None,
                 new_count: int | None = None, note: str = "", actor=None) -> StockMovement:
    """Back-office stock adjustment by a delta or to a new count, with a required reason.

    The movement and the audit row naming `actor` commit together, or neither does.
    """
    if reason not in StockMovement.REASONS:
        raise ValidationFailed(f"Unknown reason: {reason}.")
    if (delta is None) == (new_count is None):
        raise ValidationFailed("Give either a change (delta) or a new count, not both.")
    if new_count is not None and new_count < 0:
        raise ValidationFailed("Stock cannot be negative.")
    with write_transaction():
        variant = db.session.get(Variant, variant_id)
        if variant is None:
            raise NotFound("Unknown variant.")
        if new_count is not None:
            current = db.session.scalar(
                select(Variant.stock).where(Variant.id == variant_id).with_for_update()
            )
            delta = new_count - current
        if delta == 0:
            raise ValidationFailed("The stock is already at that count.")
        movement = change_stock(variant_id, delta, reason, note=note,
                                user_id=getattr(actor, "id", None))
        _audit_adjustment(actor, variant, movement)
    db.session.refresh(variant)
    return movement


def _audit_adjustment(actor, variant: Variant, movement: StockMovement) -> None:
    # The stock ledger holds the movement; the audit log says who adjusted by hand.
    audit.record(actor, "adjust_stock", variant,
                 {"stock": [movement.stock_after - movement.delta, movement.stock_after]},
                 summary=f"{variant.sku}: {movement.delta:+d} ({movement.reason})"
                 + (f", {movement.note}" if movement.note else ""))


def set_initial_stock(variant: Variant, stock: int, *, reason: str = "initial",
                      user_id: int | None = None) -> None:
    """Give a new (flushed) variant its first stock with a movement. Does not commit."""
    if stock > 0:
        change_stock(variant.id, stock, reason, user_id=user_id)
