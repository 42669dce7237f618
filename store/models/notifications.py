"""The email outbox: every message is stored before it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp, utcnow
from store.models.types import EncryptedText


class EmailMessage(db.Model):
    """An email waiting in, or delivered from, the outbox."""

    __tablename__ = "email_message"
    __table_args__ = (Index("ix_email_message_due", "status", "next_attempt_at"),)

    STATUSES = ("pending", "sending", "sent", "failed")

    id: Mapped[int] = mapped_column(primary_key=True)
    # What caused it, e.g. "order_confirmation"; staff views filter on it.
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # Unique per change (e.g. "order:12:paid:customer") so one change never sends twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipients: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(EncryptedText())
    body_html: Mapped[str] = mapped_column(EncryptedText(), default="")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # Documents to attach, named not stored (e.g. [{"kind": "invoice", "id": 12}]): drawn at
    # delivery by the renderer registered for the kind (store.notifications.attachments).
    attachments: Mapped[list | None] = mapped_column(db.JSON)
    # Rendered at delivery (store.notifications.rendering): the template pair, and the values
    # that must be as of the event (ids, a status); the bodies are stored once rendered.
    template: Mapped[str | None] = mapped_column(String(60))
    payload: Mapped[dict | None] = mapped_column(db.JSON)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("order.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A worker claims a row by setting these; a stale claim is taken over later.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[Timestamp] = mapped_column(index=True)

    order = relationship("Order")

    def __str__(self) -> str:
        return f"{self.subject} -> {self.recipients}"
