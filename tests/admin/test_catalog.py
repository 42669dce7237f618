"""Back office catalog: products with variants and images, categories."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from store.dev.seed import seed_synthetic
from store.extensions import db
from store.models import (
    AuditEvent,
    Category,
    Order,
    OrderLine,
    Product,
    ProductImage,
    StockMovement,
    Variant,
)
from tests.conftest import csrf_from
from tests.factories import make_category, make_product


def png_bytes(colour="red", size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def product_form(token, **fields) -> dict:
    data = {"csrf_token": token, "name": "Blue Mug", "slug": "", "price": "12.50",
            "description": "A mug.", "active": "y"}
    data.update(fields)
    return data


def variant_fields(index=0, **fields) -> dict:
    data = {"sku": f"MUG-{index}", "options": "", "price_override": "",
            "low_stock_threshold": "3", "active": "y", "position": str(index),
            "initial_stock": ""}
    data.update(fields)
    return {f"variants-{index}-{key}": value for key, value in data.items()}


def edit_form_data(client, product_id) -> dict:
    """The product's edit form as the browser would post it back unchanged."""
    html = client.get(f"/admin/product/edit/?id={product_id}").get_data(as_text=True)
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="file"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag and not name.group(1).startswith("del-"):
                data[name.group(1)] = "y"
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html,
                                 re.S):
        data[name] = body.strip().replace("&lt;", "<").replace("&gt;", ">")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)" selected', body)
        data[name] = selected.group(1) if selected else ""
    return data


def test_staff_creates_product_with_variants_and_initial_stock(client, auth):
    """Staff add a product with two sizes; the stock they start with is in the ledger."""
    category = make_category(name="Kitchen")
    staff = auth.login("staff")
    token = csrf_from(client, "/admin/product/new/")
    data = product_form(token, category=str(category.id))
    data.update(variant_fields(0, sku="MUG-S", options="size=S; colour=Blue",
                               initial_stock="7"))
    data.update(variant_fields(1, sku="MUG-L", options='{"size": "L"}', price_override="14.00"))
    response = client.post("/admin/product/new/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    product = db.session.scalar(db.select(Product).where(Product.name == "Blue Mug"))
    assert product.slug == "blue-mug"
    assert product.category.name == "Kitchen"
    small, large = product.variants
    assert (small.sku, small.options, small.stock) == ("MUG-S", {"size": "S", "colour": "Blue"}, 7)
    assert (large.options, large.stock, large.price) == ({"size": "L"}, 0, Decimal("14.00"))
    movement = db.session.scalar(db.select(StockMovement))
    assert (movement.variant_id, movement.delta, movement.reason, movement.user_id) == (
        small.id, 7, "initial", staff.id)


def test_description_is_sanitized(client, auth):
    """A description with a script and an onerror handler is stored without them."""
    auth.login("staff")
    token = csrf_from(client, "/admin/product/new/")
    data = product_form(token, description=(
        "**Bold** <script>alert('x')</script><img src=x onerror=\"alert(1)\">"
        "<a href=\"javascript:alert(1)\">link</a>"))
    data.update(variant_fields(0))
    assert client.post("/admin/product/new/", data=data).status_code == 302
    stored = db.session.scalar(db.select(Product.description))
    assert "<strong>Bold</strong>" in stored
    for bad in ("<script", "alert(", "onerror", "javascript:"):
        assert bad not in stored


def test_stock_is_not_a_field_of_the_product_form(client, auth):
    """The product form has no stock field, and a posted stock value changes nothing."""
    product = make_product(stock=5)
    auth.login("staff")
    html = client.get(f"/admin/product/edit/?id={product.id}").get_data(as_text=True)
    assert 'name="variants-0-stock"' not in html
    data = edit_form_data(client, product.id)
    data["variants-0-stock"] = "999"
    data["variants-0-initial_stock"] = "50"  # ignored for an existing variant
    data["price"] = "11.00"
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert db.session.get(Product, product.id).price == Decimal("11.00")
    assert db.session.get(Product, product.id).variants[0].stock == 5


def test_product_needs_a_variant(client, auth):
    """Saving a product without any variant is refused with a clear message."""
    auth.login("staff")
    token = csrf_from(client, "/admin/product/new/")
    response = client.post("/admin/product/new/", data=product_form(token))
    assert response.status_code == 200
    assert "at least one variant" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Product.id))) == 0


def test_bad_options_text_is_refused(client, auth):
    """Options that are not name=value pairs give a form error."""
    auth.login("staff")
    token = csrf_from(client, "/admin/product/new/")
    data = product_form(token)
    data.update(variant_fields(0, options="just words"))
    response = client.post("/admin/product/new/", data=data)
    assert response.status_code == 200
    assert "name=value" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Product.id))) == 0


def test_image_upload_makes_thumbnail_and_replacing_removes_old_file(app, client, auth):
    """An uploaded PNG is stored with a thumbnail; replacing it removes the old files."""
    product = make_product()
    auth.login("staff")
    upload = Path(app.config["UPLOAD_FOLDER"])
    data = edit_form_data(client, product.id)
    data["images-0-alt"] = "A red mug"
    data["images-0-position"] = "0"
    data["images-0-upload"] = (io.BytesIO(png_bytes("red")), "mug.png")
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    image = db.session.scalar(db.select(ProductImage))
    first, first_thumb = upload / image.path, upload / image.thumb_path
    assert first.exists() and first_thumb.exists()
    with Image.open(first_thumb) as thumb:
        assert max(thumb.size) <= 360

    data = edit_form_data(client, product.id)
    data["images-0-upload"] = (io.BytesIO(png_bytes("blue")), "mug2.png")
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    image = db.session.scalar(db.select(ProductImage))
    assert (upload / image.path).exists() and (upload / image.thumb_path).exists()
    assert not first.exists() and not first_thumb.exists()

    data = edit_form_data(client, product.id)
    data["del-images-0"] = "y"
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data)
    assert response.status_code == 302
    assert not (upload / image.path).exists()
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 0


def test_a_file_that_is_not_an_image_is_refused(app, client, auth):
    """Uploading a text file as an image is refused and leaves no file behind."""
    product = make_product()
    auth.login("staff")
    data = edit_form_data(client, product.id)
    data["images-0-alt"] = "x"
    data["images-0-position"] = "0"
    data["images-0-upload"] = (io.BytesIO(b"not an image"), "evil.png")
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data,
                           content_type="multipart/form-data")
    assert "not an image" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 0
    upload = Path(app.config["UPLOAD_FOLDER"])
    assert not list(upload.rglob("*.png"))


def test_edit_is_audited_with_field_changes(client, auth):
    """Changing a product's price and a variant's threshold shows old and new values."""
    product = make_product(price="10.00")
    auth.login("staff")
    data = edit_form_data(client, product.id)
    data["price"] = "12.00"
    data["variants-0-low_stock_threshold"] = "9"
    assert client.post(f"/admin/product/edit/?id={product.id}", data=data).status_code == 302
    events = {e.object_type: e for e in db.session.scalars(db.select(AuditEvent))}
    assert events["product"].action == "update"
    assert events["product"].actor == "staff@example.com"
    assert events["product"].changes == {"price": ["10.00", "12.00"]}
    assert events["variant"].changes == {"low_stock_threshold": [3, 9]}


def test_sold_variant_cannot_be_deleted(client, auth):
    """A variant that was ordered cannot be deleted; the product keeps it."""
    product = make_product()
    variant = product.variants[0]
    order = Order(number="ABC123", email="c@example.com", full_name="C", address_line1="x",
                  city="y", postal_code="1", country="ES", shipping_method="standard",
                  payment_method="manual", subtotal=Decimal(10), shipping_cost=Decimal(0),
                  total=Decimal(10))
    order.lines.append(OrderLine(variant_id=variant.id, product_name=product.name,
                                 sku=variant.sku, unit_price=Decimal(10), quantity=1,
                                 line_total=Decimal(10)))
    db.session.add(order)
    db.session.commit()
    auth.login("staff")
    data = edit_form_data(client, product.id)
    data["del-variants-0"] = "y"
    response = client.post(f"/admin/product/edit/?id={product.id}", data=data)
    assert "cannot be deleted" in response.get_data(as_text=True)
    token = csrf_from(client, "/admin/product/")
    response = client.post("/admin/product/delete/", data={"id": product.id,
                                                           "csrf_token": token},
                           follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Variant, variant.id) is not None
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_product_delete_removes_images_and_is_audited(app, client, auth):
    """Deleting an unsold product removes its image files and logs the deletion."""
    product = make_product(name="Old Hat")
    auth.login("staff")
    data = edit_form_data(client, product.id)
    data.update({"images-0-alt": "hat", "images-0-position": "0",
                 "images-0-upload": (io.BytesIO(png_bytes()), "hat.png")})
    client.post(f"/admin/product/edit/?id={product.id}", data=data,
                content_type="multipart/form-data")
    path = Path(app.config["UPLOAD_FOLDER"]) / db.session.scalar(db.select(ProductImage.path))
    assert path.exists()
    token = csrf_from(client, "/admin/product/")
    client.post("/admin/product/delete/", data={"id": product.id, "csrf_token": token})
    assert db.session.get(Product, product.id) is None
    assert not path.exists()
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "delete"))
    assert event.summary == "Old Hat" and event.changes["name"] == ["Old Hat", None]


def test_category_gets_a_slug_and_ajax_lookup_finds_it(client, auth):
    """A new category without a slug gets one, and the product form's lookup finds it."""
    auth.login("staff")
    token = csrf_from(client, "/admin/category/new/")
    response = client.post("/admin/category/new/", data={
        "name": "Café Noir", "slug": "", "description": "", "position": "1",
        "csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Category.slug)) == "cafe-noir"
    response = client.get("/admin/product/ajax/lookup/?name=category&query=caf")
    assert response.status_code == 200
    assert response.get_json()[0][1] == "Café Noir"


def test_flask_admin_export_uses_the_import_format(client, auth):
    """The product list's CSV export has one row per variant in the import format."""
    make_product(name="Tee", variants=[{"sku": "TEE-S", "options": {"size": "S"}, "stock": 2},
                                       {"sku": "TEE-M", "options": {"size": "M"}, "stock": 4}])
    auth.login("staff")
    response = client.get("/admin/product/export/csv/")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "sku,product,variant,category,price,stock,description,active"
    assert lines[1].startswith("TEE-S,Tee,size=S,,10.00,2,")
    assert len(lines) == 3


@pytest.mark.parametrize("path", ["/admin/product/", "/admin/variant/"])
def test_list_statements_do_not_grow_with_rows(app, client, auth, count_queries, path):
    """The product and stock lists run as many SQL statements for 1,000 rows as for 10."""
    auth.login("staff")
    seed_synthetic(10)
    client.get(path)  # warm up: the signed-in user is loaded the same way both times
    with count_queries() as small:
        assert client.get(path).status_code == 200
    seed_synthetic(990)
    client.get(path)
    with count_queries() as big:
        response = client.get(path)
    assert response.status_code == 200
    assert len(big) == len(small), (small, big)
    assert len(small) <= 6
