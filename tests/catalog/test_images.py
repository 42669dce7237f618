"""Product images: WebP copies in a few widths, srcset on cards and product pages, lazy
loading after the first row, `flask images rebuild` for older images."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from store.catalog import images
from store.dev.seed import SEEDS, load_catalog
from store.extensions import db
from store.models import ProductImage
from tests.factories import make_product


def png(size=(1600, 1200), colour="teal", mode="RGB") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_upload_is_kept_and_copied_to_webp_widths(app):
    """A 1600 px photo gets 320, 640 and 1024 px WebP copies; the original stays as sent."""
    saved = images.save_product_image(png(), "mug")
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert (saved.width, saved.height) == (1600, 1200)
    assert (folder / saved.path).read_bytes() == png().getvalue()
    for width in (320, 640, 1024):
        with Image.open(folder / images.webp_path(saved.path, width)) as copy:
            assert copy.format == "WEBP"
            assert copy.size == (width, width * 3 // 4)


def test_small_images_are_never_enlarged(app):
    """A 500 px image gets a 320 px copy and one at its own width, nothing wider."""
    saved = images.save_product_image(png((500, 500), (0, 128, 128, 128), "RGBA"), "pin")
    assert images.srcset_widths(saved.width) == [320, 500]
    folder = Path(app.config["UPLOAD_FOLDER"])
    with Image.open(folder / images.webp_path(saved.path, 500)) as copy:
        assert copy.size == (500, 500) and copy.mode == "RGBA"
    assert not (folder / images.webp_path(saved.path, 1024)).exists()


def test_deleting_an_image_removes_every_copy(app):
    """The original, thumbnail and WebP copies all go; other images' files stay."""
    keep = images.save_product_image(png(), "keep")
    gone = images.save_product_image(png(), "gone")
    folder = Path(app.config["UPLOAD_FOLDER"])
    images.delete_product_image(gone.path)
    left = sorted(p.name for p in (folder / "products").iterdir())
    assert left and all(name.startswith(("keep", "thumb_keep")) for name in left)
    assert (folder / images.webp_path(keep.path, 640)).exists()


@pytest.fixture
def demo(app):
    load_catalog(SEEDS / "catalog.json")


def pictures(html: str) -> list[str]:
    return re.findall(r"<picture>.*?</picture>", html, re.S)


def test_listing_serves_webp_srcset_and_loads_only_the_first_row_eagerly(client, demo):
    """Cards offer WebP widths with sizes; four load at once, the first with priority."""
    html = client.get("/products/").get_data(as_text=True)
    cards = pictures(html)
    assert len(cards) == 12
    for n, card in enumerate(cards):
        srcset = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">',
                           card).group(1)
        urls = [part.split()[0] for part in srcset.split(", ")]
        assert all(u.endswith(".webp") for u in urls) and len(urls) >= 2
        response = client.get(urls[0])
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert re.search(r'<img src="/uploads/[^"]+\.png"[^>]* width="\d+" height="\d+"', card)
        assert ('loading="eager"' in card) == (n < 4)
        assert ('loading="lazy"' in card) == (n >= 4)
        assert ('fetchpriority="high"' in card) == (n == 0)


def test_product_page_gallery_has_srcset_and_the_images_real_size(client, demo):
    """The first picture loads first; width and height follow the original's shape."""
    html = client.get("/products/harbour-lights-tee").get_data(as_text=True)
    gallery = pictures(html)
    assert len(gallery) == 2
    assert 'fetchpriority="high"' in gallery[0] and 'loading="lazy"' in gallery[1]
    image = db.session.scalar(db.select(ProductImage).order_by(ProductImage.id))
    assert image.width and image.height
    assert "(max-width: 800px) 100vw, 600px" in gallery[0]


def test_rebuild_command_makes_copies_for_older_images(app, client, runner):
    """Images stored before WebP copies existed get them, and their size, from the command."""
    folder = Path(app.config["UPLOAD_FOLDER"]) / "products"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old.png").write_bytes(png((900, 600)).getvalue())
    product = make_product(name="Old Print")
    product.images.append(ProductImage(path="products/old.png", alt="Old"))
    product.images.append(ProductImage(path="products/missing.png", alt="Gone", position=1))
    db.session.commit()
    page = f"/products/{product.slug}"
    html = client.get(page).get_data(as_text=True)
    assert "<source" not in html and 'width="600" height="600"' in html
    result = runner.invoke(args=["images", "rebuild"])
    assert result.exit_code == 1
    assert "Rebuilt 1 image(s)." in result.output
    assert "Missing or unreadable: products/missing.png" in result.output
    assert (folder / "old.w640.webp").exists() and (folder / "old.w900.webp").exists()
    db.session.expire_all()
    html = client.get(page).get_data(as_text=True)
    assert "old.w320.webp 320w, /uploads/products/old.w640.webp 640w" in html
    assert 'width="600" height="400"' in html
