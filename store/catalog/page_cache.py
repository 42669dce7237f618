"""Rendered catalog parts kept per worker and keyed on the catalog version.

What the storefront's fragments (store.storefront.fragments) and the API's public catalog
reads share: a value that is the same for every reader in one language (a page's body, a
product list's data) is kept until the catalog version moves (the settings row's `version`,
which store.catalog.freshness bumps in the transaction of every catalog change, and which
every request reads once anyway); then the worker drops all of them at once, so a change made
through any worker shows on the next request to every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from store.i18n import current_locale
from store.settings.services import get_settings

EXTENSION = "store_fragments"
# Fragments one worker keeps; the oldest goes first when full (a few MB of HTML at most).
MAX_ENTRIES = 2000
# Keys longer than this (hand-made query strings) are rendered but not kept.
MAX_KEY_CHARS = 600


class _Store:
    """One worker's fragments for one catalog version (replaced whole when it moves)."""

    def __init__(self, version: int):
        self.version = version
        self.entries: dict[tuple, Any] = {}


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
