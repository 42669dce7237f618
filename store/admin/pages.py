"""Back office content pages: title and Markdown body per language, published or not.

Everyone in the back office may read them (with a preview of the safe HTML shown to
customers); owners (settings-manage) edit them. Saves go through store.pages.check_page.
"""

from __future__ import annotations

from markupsafe import Markup

from store.admin.base import StoreModelView
from store.extensions import db
from store.models import Page
from store.pages import services as pages

BODY_HELP = ("Markdown. Placeholders filled from the settings: {shop_name}, {legal_name}, "
             "{address}, {tax_number}, {contact_email}. Scripts and unsafe HTML are removed.")


def _preview(lang: str):
    def format_preview(_view, _context, model, _name):
        html = pages.render_body(getattr(model, f"body_{lang}"))
        return Markup('<div class="page-preview">{}</div>').format(html)
    return format_preview


class PageAdmin(StoreModelView):
    """Content pages at /pages/<slug>: shipping and returns, privacy, terms, legal notice."""

    permission = "admin-access"
    write_permission = "settings-manage"
    can_view_details = True
    column_list = ("slug", "title_en", "title_es", "published", "updated_at")
    column_details_list = ("slug", "published", "updated_at", "title_en", "preview_en",
                           "title_es", "preview_es")
    column_default_sort = "slug"
    column_searchable_list = ("slug", "title_en")
    column_labels = {"title_en": "Title (English)", "title_es": "Title (Spanish)",
                     "body_en": "Body (English)", "body_es": "Body (Spanish)",
                     "preview_en": "Preview (English)", "preview_es": "Preview (Spanish)",
                     "updated_at": "Updated (UTC)"}
    column_formatters_detail = {"preview_en": _preview("en"), "preview_es": _preview("es")}
    form_columns = ("slug", "published", "title_en", "body_en", "title_es", "body_es")
    form_args = {
        "slug": {"description": "The address: /pages/<slug>, e.g. shipping-returns."},
        "body_en": {"description": BODY_HELP},
        "body_es": {"description": BODY_HELP + " Empty: the English body is shown."},
        "title_es": {"description": "Empty: the English title is shown."},
    }
    form_widget_args = {"body_en": {"rows": 16}, "body_es": {"rows": 16}}

    def on_model_change(self, form, model, is_created):
        pages.check_page(model)

    def get_save_return_url(self, model, is_created=False):
        """After a save, show the page's details with the preview."""
        return self.get_url(".details_view", id=model.id)


def register_page_views(admin) -> None:
    """Add the content page view."""
    admin.add_view(PageAdmin(Page, db, name="Pages", category=None, endpoint="page"))
