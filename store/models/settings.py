"""The shop's own settings: one row, edited by owners in the back office."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.extensions import db
from store.models.base import Timestamp, utcnow

SETTINGS_ID = 1


class StoreSettings(db.Model):
    """Who the shop is and how it trades; `version` goes up on every save."""

    __tablename__ = "store_settings"
    # Exactly one row: every worker reads and writes the row with id 1.
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False,
                                    default=SETTINGS_ID)
    shop_name: Mapped[str] = mapped_column(String(120), default="")
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    tax_number: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    bank_details: Mapped[str] = mapped_column(Text, default="")
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=True)
    default_country: Mapped[str] = mapped_column(String(2), default="ES")
    manual_hold_hours: Mapped[int] = mapped_column(Integer, default=72)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=3)
    # Bumped by every save; each worker compares it with its cached copy once per request.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return "Store settings"
