"""Rendered catalog fragments, kept per worker and keyed on the catalog version.

A fragment is the part of a catalog page that is the same for every visitor who reads it in
the same language: the home page's sections, a listing's body (filters, cards, pagination),
a product page's body with its structured data. Its key holds the catalog version (the
settings row's `version`, which store.catalog.freshness bumps in the transaction of every
catalog change, and which every request reads once anyway), the locale and the page's own
arguments; when the version moves, the worker drops all its fragments at once, so a change
made through any worker shows on the next request to every worker.

Per-visitor parts never go in a fragment: the layout around it (cart count, sign-in state,
flash messages, CSP nonce) is rendered on every request, and a CSRF token inside a fragment
is a placeholder swapped for the visitor's own token when the page is served.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from store.i18n import current_locale
from store.settings.services import get_settings
from store.storefront.blueprint import bp

EXTENSION = "store_fragments"
# Fragments one worker keeps; the oldest goes first when full (a few MB of HTML at most).
MAX_ENTRIES = 2000
# Keys longer than this (hand-made query strings) are rendered but not kept.
MAX_KEY_CHARS = 600
CSRF_SLOT = "\x00csrf-token\x00"


class _Store:
    """One worker's fragments for one catalog version (replaced whole when it moves)."""

    def __init__(self, version: int):
        self.version = version
        self.entries: dict[tuple, Any] = {}


def csrf_slot() -> str:
    """What a fragment's template writes where the visitor's CSRF token goes."""
    return CSRF_SLOT


def with_csrf(html: str) -> Markup:
    """A fragment's HTML with this visitor's CSRF token in place of the placeholder."""
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, generate_csrf())
    return Markup(html)


def _store(version: int) -> _Store:
    store = current_app.extensions.get(EXTENSION)
    if store is None or store.version != version:
        store = current_app.extensions[EXTENSION] = _Store(version)
    return store


def cached(kind: str, parts: tuple, render: Callable[[], Any]) -> Any:
    """The fragment `kind` for `parts` in the reader's language: kept, or rendered now."""
    version = get_settings().version  # read before any catalog query of this request
    key = (kind, current_locale(), *parts)
    if not version or not current_app.config.get("STORE_FRAGMENT_CACHE", True) \
            or len(repr(key)) > MAX_KEY_CHARS:
        return render()
    store = _store(version)
    value = store.entries.get(key)
    if value is None:
        value = render()
        if len(store.entries) >= MAX_ENTRIES:
            try:
                store.entries.pop(next(iter(store.entries)), None)
            except (RuntimeError, StopIteration):  # another thread changed it meanwhile
                pass
        store.entries[key] = value
    return value


@bp.app_template_global()
def site_footer() -> Markup:
    """The layout's footer (the shop's name and contact, its pages, the payment methods)."""
    return cached("footer", (), lambda: Markup(render_template("storefront/_footer.html")))
