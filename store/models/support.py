"""Support tickets from the contact form, with staff replies."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp
from store.models.types import EncryptedText


class SupportTicket(db.Model):
    """A customer's question, linked to their order when they named one of their own."""

    __tablename__ = "support_ticket"

    STATUSES = ("open", "answered", "closed")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(EncryptedText())
    email: Mapped[str] = mapped_column(String(255), index=True)
    message: Mapped[str] = mapped_column(EncryptedText())
    locale: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("order.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[Timestamp] = mapped_column(index=True)

    order = relationship("Order")
    user = relationship("User")
    replies: Mapped[list[SupportReply]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="SupportReply.id"
    )

    def __str__(self) -> str:
        return f"#{self.id} {self.email}"


class SupportReply(db.Model):
    """A reply from staff to a ticket, as emailed to the customer."""

    __tablename__ = "support_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("support_ticket.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[Timestamp]

    ticket: Mapped[SupportTicket] = relationship(back_populates="replies")
    user = relationship("User")
