"""Decompression bombs: a tiny file that claims an enormous picture is refused, not a 500."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from store.catalog.images import save_product_image
from store.errors import ValidationFailed
from store.extensions import db
from store.models import ProductImage
from tests.admin.test_catalog import edit_form_data
from tests.factories import make_product


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A small valid PNG whose header claims width x height pixels (900 megapixels)."""
    buffer = io.BytesIO()
    Image.new("1", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # IHDR is the first chunk: 8-byte signature, length, type, then width and height.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_a_decompression_bomb_is_refused_with_a_message(app):
    """Saving a bomb raises a message the back office can show; no file is written."""
    with pytest.raises(ValidationFailed, match="too large"):
        save_product_image(io.BytesIO(bomb_png()), "bomb")
    assert not list(Path(app.config["UPLOAD_FOLDER"]).rglob("*.png"))


def test_an_image_just_over_the_pixel_limit_is_refused(app):
    """A picture over the shop's pixel limit (Pillow only warns there) is refused too."""
    side = int(Image.MAX_IMAGE_PIXELS ** 0.5) + 10
    with pytest.raises(ValidationFailed, match="too large"):
        save_product_image(io.BytesIO(bomb_png(side, side)), "big")


def test_back_office_shows_the_bomb_as_an_error_and_saves_nothing(app, client, auth):
    """Staff uploading a bomb see the reason on the form; the product keeps no image."""
    product = make_product()
    auth.login("staff")
    data = edit_form_data(client, product.id)
    data["images-0-alt"] = "boom"
    data["images-0-position"] = "0"
    data["images-0-upload"] = (io.BytesIO(bomb_png()), "bomb.png")
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    field = html[html.index('name="images-0-upload"'):]
    assert "too large" in field[:field.index("</div>")]  # beside the file field
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 0
    assert not list(Path(app.config["UPLOAD_FOLDER"]).rglob("*.png"))
