"""Content pages: shown with the legal details from the settings, Markdown made safe HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select

from store.catalog.html import sanitize_description
from store.database import write_transaction
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.models import Page
from store.models.pages import LANGUAGES
from store.pages.defaults import DEFAULT_PAGES
from store.settings.services import Settings, get_settings

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80
FOOTER_SLUGS = ("shipping-returns", "terms", "privacy", "legal")


@dataclass(frozen=True)
class RenderedPage:
    """A page ready to show: its title and safe HTML in one language."""

    slug: str
    title: str
    html: Markup
    updated_at: datetime | None


def placeholders(settings: Settings) -> dict[str, str]:
    """The values of the placeholders a page body may use."""
    address = ", ".join(line.strip() for line in settings.address.splitlines() if line.strip())
    return {"shop_name": settings.shop_name,
            "legal_name": settings.legal_name or settings.shop_name,
            "address": address, "tax_number": settings.tax_number,
            "contact_email": settings.contact_email}


def fill(text: str, settings: Settings | None = None) -> str:
    """Replace `{legal_name}` and the other placeholders; other braces stay as typed."""
    values = placeholders(settings or get_settings())
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text or "")


def render_body(text: str, settings: Settings | None = None) -> Markup:
    """A body's Markdown with the placeholders filled, as sanitized HTML."""
    return Markup(sanitize_description(fill(text, settings)))


def get_page(slug: str, locale: str) -> RenderedPage:
    """A published page in `locale` (English where the translation is empty); NotFound else."""
    page = db.session.scalar(select(Page).where(Page.slug == slug, Page.published.is_(True)))
    if page is None:
        raise NotFound("No such page.")
    lang = locale.split("_")[0] if locale.split("_")[0] in LANGUAGES else "en"
    title = getattr(page, f"title_{lang}") or page.title_en
    body = getattr(page, f"body_{lang}") or page.body_en
    settings = get_settings()
    return RenderedPage(slug=page.slug, title=fill(title, settings),
                        html=render_body(body, settings), updated_at=page.updated_at)


def check_page(page: Page) -> None:
    """Refuse a page the back office cannot save: a bad or taken slug, no English title."""
    page.slug = (page.slug or "").strip().lower()
    if not SLUG.match(page.slug) or len(page.slug) > MAX_SLUG:
        raise ValidationFailed("A slug is lower-case letters, digits and hyphens, "
                               "e.g. shipping-returns.", field="slug")
    taken = select(Page.id).where(Page.slug == page.slug)
    if page.id is not None:
        taken = taken.where(Page.id != page.id)
    # No autoflush: the page itself, new or changed, must not be written before the check.
    with db.session.no_autoflush:
        clash = db.session.scalar(taken)
    if clash is not None:
        raise ValidationFailed(f"There is already a page {page.slug}.", field="slug")
    page.title_en = (page.title_en or "").strip()
    if not page.title_en:
        raise ValidationFailed("A page needs an English title.", field="title_en")
    for lang in LANGUAGES:
        setattr(page, f"title_{lang}", (getattr(page, f"title_{lang}") or "").strip())
        setattr(page, f"body_{lang}", getattr(page, f"body_{lang}") or "")


def ensure_default_pages() -> bool:
    """Seed the four default pages, published, into a shop without pages.

    Commits; True when it seeded.
    """
    with write_transaction():
        if db.session.scalar(select(func.count(Page.id))):
            return False
        for values in DEFAULT_PAGES:
            db.session.add(Page(published=True, **values))
    return True
