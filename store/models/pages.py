"""Content pages: shipping and returns, privacy, terms, legal notice, and any the owner adds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.extensions import db
from store.models.base import utcnow

LANGUAGES = ("en", "es")


class Page(db.Model):
    """A page at /pages/<slug>: a title and a Markdown body per language.

    Bodies may hold placeholders such as `{legal_name}`, filled from the store settings when
    the page is shown (store.pages.services), so the legal details always match them.
    """

    __tablename__ = "page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    title_es: Mapped[str] = mapped_column(String(200), default="")
    body_es: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    def __str__(self) -> str:
        return self.slug or "New page"
