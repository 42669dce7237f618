"""What the variant picker (frontend/variant-picker.js) needs to know about a product.

Every price and message is formatted here, in the reader's language; the island only
chooses which variant's figures to show.
"""

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from store.i18n import money

# Option names customers read; other names are shown as the shop wrote them.
OPTION_LABELS = {"size": _l("Size"), "colour": _l("Colour"), "color": _l("Colour")}
SWATCH_OPTIONS = {"colour", "color"}


def selected_variant(variants, raw: str | None = None) -> int | None:
    """The id of the variant named by ?variant= (shared links), when the product has it."""
    if raw is None:
        raw = (request.args.get("variant") or "").strip()
    if raw.isdigit():
        wanted = int(raw)
        if any(variant.id == wanted for variant in variants):
            return wanted
    return None


def stock_message(variant) -> str:
    """The stock line under the price (the same sentences as the variants table)."""
    if variant.stock_status == "out":
        return _("Out of stock")
    if variant.stock_status == "low":
        return ngettext("Only %(num)d left", "Only %(num)d left", variant.stock)
    return _("In stock")


def _image_for(product, variant) -> dict | None:
    """The first image whose description names one of the variant's option values."""
    values = [str(value).lower() for value in (variant.options or {}).values()]
    for image in product.images:
        alt = (image.alt or "").lower()
        if values and any(value and value in alt for value in values):
            return {"src": url_for("storefront.upload", filename=image.path),
                    "alt": image.alt or product.name}
    return None


def picker_data(product, variants, selected: int | None) -> dict:
    """The options, their values in shelf order, and each variant's figures."""
    names: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in (variant.options or {}).items():
            values = names.setdefault(name, [])
            if str(value) not in values:
                values.append(str(value))
    return {
        "options": [{"name": name, "label": str(OPTION_LABELS.get(name.lower(), name)),
                     "swatch": name.lower() in SWATCH_OPTIONS, "values": values}
                    for name, values in names.items()],
        "variants": [{"id": variant.id,
                      "options": {k: str(v) for k, v in (variant.options or {}).items()},
                      "price": money(variant.price),
                      "was": money(variant.was_price) if variant.was_price else None,
                      "available": variant.stock > 0,
                      "stock": variant.stock_status,
                      "message": stock_message(variant),
                      "image": _image_for(product, variant)} for variant in variants],
        "selected": selected,
        "labels": {"unavailable": _("Unavailable"),
                   "no_combination": _("This combination is not available."),
                   "choose": _("Choose")},
    }
