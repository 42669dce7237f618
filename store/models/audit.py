"""The audit log of back-office changes."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp
from store.models.types import EncryptedJSON


class AuditEvent(db.Model):
    """Who changed what, when, and which fields went from what to what."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Kept as text so the log still reads after a user is deleted or erased.
    actor: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_id: Mapped[str] = mapped_column(String(40), default="")
    summary: Mapped[str] = mapped_column(String(255), default="")
    # {"field": [old, new], ...}
    changes: Mapped[dict] = mapped_column(EncryptedJSON(), default=dict)
    created_at: Mapped[Timestamp] = mapped_column(index=True)

    user = relationship("User")
