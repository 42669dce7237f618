"""Product images: stored under the upload folder with a Pillow thumbnail beside them."""

import secrets
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from store.errors import ValidationFailed

THUMB_SIZE = (360, 360)
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif"}

# A 50-megapixel photo is the largest a product page needs. Set on purpose rather than left
# to Pillow's default (~179 MP, and only a warning below twice that): a small file that
# claims a huge picture would otherwise take the worker's memory when it is decoded.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def save_product_image(stream, slug: str) -> str:
    """Check, store and thumbnail an uploaded image; returns its path in the upload folder."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
            image.verify()
            stream.seek(0)
            image = Image.open(stream)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationFailed(f"The picture is too large: at most {MAX_PIXELS // 1_000_000} "
                               "megapixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationFailed("The file is not an image this shop can use.") from exc
    if image.format not in FORMATS:
        raise ValidationFailed("Images must be PNG, JPEG, WebP or GIF.")
    ext = FORMATS[image.format]
    name = f"products/{slug[:60]}-{secrets.token_hex(4)}{ext}"
    target = _folder() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    stream.seek(0)
    target.write_bytes(stream.read())
    make_thumbnail(target)
    return name


def make_thumbnail(path: Path) -> Path:
    """Write thumb_<name> beside an image."""
    thumb = path.with_name(f"thumb_{path.name}")
    with Image.open(path) as image:
        image.thumbnail(THUMB_SIZE)
        image.save(thumb, optimize=True)
    return thumb


def delete_product_image(rel_path: str) -> None:
    """Remove an image file and its thumbnail (when replaced or deleted)."""
    path = _folder() / rel_path
    for candidate in (path, path.with_name(f"thumb_{path.name}")):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
