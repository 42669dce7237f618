"""The product editor shows the images as thumbnails and staff reorder them with buttons."""

import io
import re

from PIL import Image

from store.catalog import images
from store.extensions import db
from store.models import AuditEvent, ProductImage
from tests.conftest import csrf_from
from tests.factories import make_product


def picture(colour) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def product_with_images(*colours):
    product = make_product(name="Tile Set")
    for position, colour in enumerate(colours):
        saved = images.save_product_image(picture(colour), "tile-set")
        product.images.append(ProductImage(path=saved.path, alt=colour, position=position,
                                           width=saved.width, height=saved.height))
    db.session.commit()
    return product


def order_of(product) -> list[str]:
    db.session.expire_all()
    return [image.alt for image in product.images]


def move(client, image, direction, token):
    return client.post("/admin/product/images/move/",
                       data={"image_id": image.id, "direction": direction, "csrf_token": token})


def test_editor_shows_thumbnails_in_order_with_move_buttons(client, auth):
    """Each image appears as a thumbnail; the first cannot move earlier nor the last later."""
    product = product_with_images("red", "green", "blue")
    auth.login("staff")
    html = client.get(f"/admin/product/edit/?id={product.id}").get_data(as_text=True)
    section = html[html.index('id="image-order"'):]
    thumbs = re.findall(r'<img src="(/uploads/products/thumb_[^"]+)" alt="(\w+)"', section)
    assert [alt for _src, alt in thumbs] == ["red", "green", "blue"]
    assert all(client.get(src).status_code == 200 for src, _alt in thumbs)
    buttons = re.findall(r'<button type="submit" name="direction" value="(up|down)"[^>]*?'
                         r'( disabled)?>', section)
    assert buttons[0] == ("up", " disabled") and buttons[-1] == ("down", " disabled")
    assert section.count('name="csrf_token"') == 6


def test_staff_move_an_image_earlier_and_later(client, auth):
    """Moving blue up twice makes it the product's first picture, on the storefront too."""
    product = product_with_images("red", "green", "blue")
    auth.login("staff")
    token = csrf_from(client, f"/admin/product/edit/?id={product.id}")
    blue = product.images[2]
    response = move(client, blue, "up", token)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/product/edit/?id={product.id}")
    assert order_of(product) == ["red", "blue", "green"]
    move(client, blue, "up", token)
    assert order_of(product) == ["blue", "red", "green"]
    move(client, blue, "up", token)  # already first: nothing changes
    assert order_of(product) == ["blue", "red", "green"]
    assert [i.position for i in product.images] == [0, 1, 2]
    move(client, product.images[1], "down", token)
    assert order_of(product) == ["blue", "green", "red"]
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert page.index('alt="blue"') < page.index('alt="green"') < page.index('alt="red"')
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "move_image")) == 4


def test_moving_needs_csrf_a_real_image_and_a_direction(client, auth, app):
    """No token: 400; an unknown image: 404; a bad direction: 400; nothing moves."""
    app.config["WTF_CSRF_ENABLED"] = True
    product = product_with_images("red", "green")
    auth.login("staff")
    token = csrf_from(client, f"/admin/product/edit/?id={product.id}")
    assert move(client, product.images[1], "up", "").status_code == 400
    assert client.post("/admin/product/images/move/",
                       data={"image_id": "999999", "direction": "up",
                             "csrf_token": token}).status_code == 404
    assert move(client, product.images[1], "sideways", token).status_code == 400
    assert client.post("/admin/product/images/move/",
                       data={"image_id": "abc", "direction": "up",
                             "csrf_token": token}).status_code == 404
    assert order_of(product) == ["red", "green"]


def test_staff_without_catalog_write_get_403(client, auth, app):
    """A role without catalog-write cannot reorder images (nor open the editor)."""
    product = product_with_images("red", "green")
    app.extensions["security"].datastore.create_role(
        name="viewer", permissions=["admin-access", "orders-read"])
    db.session.commit()
    auth.login("viewer", email="viewer@example.com")
    token = csrf_from(client, "/admin/")
    assert move(client, product.images[1], "up", token).status_code == 403
    assert client.get(f"/admin/product/edit/?id={product.id}").status_code == 403
    assert order_of(product) == ["red", "green"]
