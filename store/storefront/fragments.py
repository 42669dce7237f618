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

from flask import render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from store.catalog.page_cache import cached
from store.storefront.blueprint import bp

CSRF_SLOT = "\x00csrf-token\x00"


def csrf_slot() -> str:
    """What a fragment's template writes where the visitor's CSRF token goes."""
    return CSRF_SLOT


def with_csrf(html: str) -> Markup:
    """A fragment's HTML with this visitor's CSRF token in place of the placeholder."""
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, generate_csrf())
    return Markup(html)


@bp.app_template_global()
def site_footer() -> Markup:
    """The layout's footer (the shop's name and contact, its pages, the payment methods)."""
    return cached("footer", (), lambda: Markup(render_template("storefront/_footer.html")))
