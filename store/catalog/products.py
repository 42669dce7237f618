"""Product save rules, in one place for the back office and the CSV import: slugs."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from store.extensions import db


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: lowercase ASCII words joined by hyphens ("Café Noir" -> "cafe-noir")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


def unique_slug(model, text: str, *, exclude_id: int | None = None, taken=(),
                max_length: int = 80) -> str:
    """A slug for `text` not yet used by another row of `model` (adds -2, -3, ...)."""
    base = slugify(text, max_length - 6) or model.__tablename__
    candidate, n = base, 1
    while True:
        stmt = select(model.id).where(model.slug == candidate)
        if exclude_id is not None:
            stmt = stmt.where(model.id != exclude_id)
        if candidate not in taken and db.session.scalar(stmt) is None:
            return candidate
        n += 1
        candidate = f"{base}-{n}"
