"""Content pages (/pages/<slug>) and what the footer shows on every page."""

from __future__ import annotations

from flask import abort, render_template

from store.errors import NotFound
from store.i18n import current_locale
from store.pages import services as pages
from store.payments import enabled_providers
from store.storefront.blueprint import bp


def payment_method_labels() -> list[str]:
    """The names of the payment methods this shop offers, in the reader's language."""
    return [str(provider.label) for provider in enabled_providers()]


@bp.app_context_processor
def footer_context() -> dict:
    """Let the footer name the payment methods (called only when base.html renders)."""
    return {"payment_method_labels": payment_method_labels,
            "footer_page_slugs": pages.FOOTER_SLUGS}


@bp.get("/pages/<slug>")
def page(slug):
    """A published content page in the reader's language."""
    try:
        shown = pages.get_page(slug, current_locale())
    except NotFound:
        abort(404)
    return render_template("pages/page.html", page=shown)
