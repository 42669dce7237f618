"""The stock ledger: every change of a variant's stock is one movement."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp


class StockMovement(db.Model):
    """A change of stock on hand: delta, why, for which order, by whom, when."""

    __tablename__ = "stock_movement"

    REASONS = ("initial", "restock", "correction", "damaged", "sale", "cancel", "expired",
               "import", "return", "refund")

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variant.id", ondelete="CASCADE"), index=True
    )
    delta: Mapped[int] = mapped_column(Integer)
    stock_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32), index=True)
    note: Mapped[str] = mapped_column(String(255), default="")
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("order.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[Timestamp] = mapped_column(index=True)

    variant = relationship("Variant")
    order = relationship("Order")
    user = relationship("User")
