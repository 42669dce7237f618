"""Product images: stored under the upload folder as uploaded, with a thumbnail and WebP
copies in a few widths beside them (for `srcset`), all made by Pillow."""

import re
import secrets
import warnings
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from store.audit import services as audit
from store.database import write_transaction
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.models import ProductImage

THUMB_SIZE = (360, 360)
# The widths a page may pick from: a phone's card, a desktop card or a phone's product
# page, and a desktop product page. Never wider than the original.
WIDTHS = (320, 640, 1024)
WEBP_QUALITY = 80
_WEBP_COPY = re.compile(r"\d+\.webp")
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif"}

# A 50-megapixel photo is the largest a product page needs. Set on purpose rather than left
# to Pillow's default (~179 MP, and only a warning below twice that): a small file that
# claims a huge picture would otherwise take the worker's memory when it is decoded.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


class SavedImage(NamedTuple):
    """A stored image: its path in the upload folder and its size in pixels."""

    path: str
    width: int
    height: int


def save_product_image(stream, slug: str) -> SavedImage:
    """Check and store an uploaded image with its thumbnail and WebP widths."""
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
    width, height = make_variants(target)
    return SavedImage(name, width, height)


def webp_path(rel_path: str, width: int) -> str:
    """Where the WebP copy of an image at a given width is (beside the original)."""
    stem = rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path
    return f"{stem}.w{width}.webp"


def srcset_widths(width: int | None) -> list[int]:
    """The WebP widths made for an original `width` pixels wide (none when unknown)."""
    if not width:
        return []
    return sorted({min(w, width) for w in WIDTHS})


def make_variants(path: Path) -> tuple[int, int]:
    """Write the thumbnail and the WebP widths beside an image; returns its (width, height)."""
    make_thumbnail(path)
    folder = _folder()
    rel = path.relative_to(folder).as_posix()
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        size = image.size
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode
                                  else "RGB")
        for width in srcset_widths(size[0]):
            copy = image.resize((width, max(1, round(size[1] * width / size[0]))),
                                Image.Resampling.LANCZOS) if width < size[0] else image
            copy.save(folder / webp_path(rel, width), "WEBP", quality=WEBP_QUALITY, method=4)
    return size


def make_thumbnail(path: Path) -> Path:
    """Write thumb_<name> beside an image."""
    thumb = path.with_name(f"thumb_{path.name}")
    with Image.open(path) as image:
        image.thumbnail(THUMB_SIZE)
        image.save(thumb, optimize=True)
    return thumb


def delete_product_image(rel_path: str) -> None:
    """Remove an image file, its thumbnail and WebP copies (when replaced or deleted)."""
    path = _folder() / rel_path
    prefix = webp_path(path.name, 0)[:-len("0.webp")]
    copies = [p for p in path.parent.glob("*.webp") if p.name.startswith(prefix)
              and _WEBP_COPY.fullmatch(p.name[len(prefix):])] if path.parent.is_dir() else []
    for candidate in (path, path.with_name(f"thumb_{path.name}"), *copies):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass


def rebuild_images(progress=None) -> tuple[int, list[str]]:
    """Remake every product image's thumbnail and WebP widths and record its size.

    For shops whose images predate the WebP copies. Returns (images rebuilt, paths whose
    file is missing or unreadable). Commits once per 100 images.
    """
    rebuilt, missing = 0, []
    ids = list(db.session.scalars(select(ProductImage.id).order_by(ProductImage.id)))
    for n, image_id in enumerate(ids, 1):
        image = db.session.get(ProductImage, image_id)
        try:
            image.width, image.height = make_variants(_folder() / image.path)
            rebuilt += 1
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
            missing.append(image.path)
        if progress:
            progress(image.path)
        if n % 100 == 0:
            db.session.commit()
    db.session.commit()
    return rebuilt, missing


def move_product_image(image_id: int, direction: str, actor=None) -> ProductImage:
    """Move an image one place earlier ("up") or later ("down") among its product's images.

    Positions are renumbered 0, 1, 2, ... in the new order, so ties and gaps left by older
    edits do not matter. The first image is the product's picture on cards and in search.
    """
    if direction not in ("up", "down"):
        raise ValidationFailed("Move an image up or down.")
    with write_transaction():
        image = db.session.get(ProductImage, image_id)
        if image is None:
            raise NotFound("That image does not exist.")
        siblings = list(db.session.scalars(
            select(ProductImage).where(ProductImage.product_id == image.product_id)
            .order_by(ProductImage.position, ProductImage.id)))
        index = siblings.index(image)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        old = image.position
        for position, sibling in enumerate(siblings):
            sibling.position = position
        audit.record(actor, "move_image", image.product, {"image": image.path,
                                                          "position": [old, image.position]},
                     f"Moved image {image.path} {direction}")
    return image
