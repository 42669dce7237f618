"""Product pictures in pages: the WebP `srcset` of an image and its size for width/height."""

from flask import url_for

from store.catalog import images
from store.storefront.blueprint import bp

# How wide a picture is shown, for the browser to pick a width before the CSS arrives.
CARD_SIZES = "(max-width: 640px) 50vw, (max-width: 1024px) 33vw, 280px"
PRODUCT_SIZES = "(max-width: 800px) 100vw, 600px"
SIZES = {"card": CARD_SIZES, "product": PRODUCT_SIZES}
# Cards in a listing's first row (four on a desktop, two rows of two on a phone) load at
# once; the rest wait until they come near the screen.
FIRST_ROW = 4

bp.add_app_template_global(FIRST_ROW, "first_row")


@bp.app_template_global()
def image_srcset(image) -> str:
    """"url 320w, url 640w, ..." of an image's WebP copies; empty before they are made."""
    return ", ".join(
        f"{url_for('storefront.upload', filename=images.webp_path(image.path, w))} {w}w"
        for w in images.srcset_widths(image.width))


@bp.app_template_global()
def image_sizes(kind: str) -> str:
    """The `sizes` attribute for a picture on a card or on the product page."""
    return SIZES[kind]


@bp.app_template_global()
def image_box(image, width: int) -> tuple[int, int]:
    """(width, height) to reserve for an image shown `width` pixels wide (square when the
    image's size is not known yet)."""
    if not image.width or not image.height:
        return width, width
    return width, max(1, round(image.height * width / image.width))
