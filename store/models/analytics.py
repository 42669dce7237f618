"""Shop analytics: raw events as the server saw them, their daily rollups, and the switch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.extensions import db
from store.models.base import Money, Timestamp, utcnow

ANALYTICS_SETTING_ID = 1


class AnalyticsEvent(db.Model):
    """One visit, product view, cart add, checkout start or purchase (no IP, no cookie id
    of a third party): what the storefront answered, kept until the rollup prunes it."""

    __tablename__ = "analytics_event"
    __table_args__ = (Index("ix_analytics_event_day_kind", "day", "kind"),)

    KINDS = ("visit", "view", "cart_add", "checkout", "purchase")

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[Timestamp]
    # The UTC day of created_at: what rollups and reports group by on either database.
    day: Mapped[date] = mapped_column(Date)
    # A random first-party id kept in the visitor's session, never the IP.
    session_key: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.id", ondelete="SET NULL"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variant.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("order.id", ondelete="SET NULL"), index=True)
    landing_path: Mapped[str] = mapped_column(String(255), default="")
    # "direct" when the visit came with no referrer or from the shop itself.
    referrer_host: Mapped[str] = mapped_column(String(255), default="direct")
    utm_source: Mapped[str] = mapped_column(String(100), default="")
    utm_medium: Mapped[str] = mapped_column(String(100), default="")
    utm_campaign: Mapped[str] = mapped_column(String(100), default="")
    # A salted hash of the address that changes every day (for unique visitors), never the IP.
    visitor_hash: Mapped[str | None] = mapped_column(String(16))


class AnalyticsDaily(db.Model):
    """One day's figures for one kind of event and one dimension value (a rollup row)."""

    __tablename__ = "analytics_daily"
    __table_args__ = (UniqueConstraint("day", "kind", "dimension", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # "total" (value ""), "source" (referrer host), "campaign" (source / medium / campaign)
    # or "product" (the product id).
    dimension: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320), default="")
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[Money] = mapped_column(default=Decimal("0.00"))


class AnalyticsRolledDay(db.Model):
    """A day whose raw events are rolled into AnalyticsDaily (reports read its rollup)."""

    __tablename__ = "analytics_rolled_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class AnalyticsSetting(db.Model):
    """The owner's consent switch: when off, the storefront records nothing."""

    __tablename__ = "analytics_setting"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False,
                                    default=ANALYTICS_SETTING_ID)
    record: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
