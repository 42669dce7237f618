"""Product CSV: import and export from the command line and the back office."""

import io
from decimal import Decimal
from pathlib import Path

import pytest

from store.catalog.product_csv import format_options, parse_options
from store.errors import ValidationFailed
from store.extensions import db
from store.models import AuditEvent, Category, Product, StockMovement, Variant
from tests.conftest import csrf_from
from tests.factories import make_category, make_product

HEADER = "sku,product,variant,category,price,stock,description,active\n"

GOOD = HEADER + (
    "TEE-S,Navy Tee,size=S; colour=Navy,clothes,19.90,5,**Soft** cotton tee,yes\n"
    "TEE-M,Navy Tee,size=M; colour=Navy,clothes,19.90,8,,yes\n"
    "TEE-XL,Navy Tee,size=XL; colour=Navy,clothes,21.90,0,,yes\n"
    "BK-1,Salt and Juniper,,Books,14.50,12,A novel.,yes\n"
)


@pytest.fixture
def app_config(tmp_path):
    """Uploaded import files go to a folder of this test."""
    return {"IMPORT_FOLDER": str(tmp_path / "imports")}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def snapshot() -> list:
    """Everything an import could change, to compare before and after."""
    db.session.expire_all()
    products = [(p.name, p.price, p.description, p.active, p.category_id)
                for p in db.session.scalars(db.select(Product).order_by(Product.id))]
    variants = [(v.sku, v.options, v.stock, v.price_override)
                for v in db.session.scalars(db.select(Variant).order_by(Variant.id))]
    return [products, variants, count(Category), count(StockMovement)]


def write(tmp_path, text, name="products.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_options_text_and_json():
    """Options can be typed as name=value pairs or as JSON, and print back as pairs."""
    assert parse_options("size=M; colour=Navy") == {"size": "M", "colour": "Navy"}
    assert parse_options('{"size": "L"}') == {"size": "L"}
    assert parse_options("  ") == {}
    assert format_options({"size": "M", "colour": "Navy"}) == "size=M; colour=Navy"
    with pytest.raises(ValidationFailed):
        parse_options("size")


def test_cli_import_creates_products_variants_and_stock_movements(runner, tmp_path):
    """`flask products import` creates products, categories and stock as movements."""
    make_category(slug="clothes", name="Clothes")
    result = runner.invoke(args=["products", "import", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert "4 variants created" in result.output
    tee = db.session.scalar(db.select(Product).where(Product.name == "Navy Tee"))
    assert tee.price == Decimal("19.90") and tee.category.slug == "clothes"
    assert tee.description == "<p><strong>Soft</strong> cotton tee</p>"
    by_sku = {v.sku: v for v in tee.variants}
    assert by_sku["TEE-M"].options == {"size": "M", "colour": "Navy"}
    assert by_sku["TEE-M"].stock == 8 and by_sku["TEE-M"].price == Decimal("19.90")
    assert by_sku["TEE-XL"].price == Decimal("21.90")
    book = db.session.scalar(db.select(Product).where(Product.name == "Salt and Juniper"))
    assert book.category.name == "Books" and book.variants[0].options == {}
    movements = db.session.scalars(db.select(StockMovement)).all()
    assert sorted(m.delta for m in movements) == [5, 8, 12]
    assert {m.reason for m in movements} == {"import"}


def test_cli_import_updates_by_sku(runner, tmp_path):
    """Importing again updates price, stock (as a movement) and description by SKU."""
    make_product(name="Navy Tee", price="18.00",
                 variants=[{"sku": "TEE-S", "options": {"size": "S"}, "stock": 9}])
    text = HEADER + "TEE-S,Navy Tee,size=S,,19.90,4,New <b>text</b>,no\n"
    result = runner.invoke(args=["products", "import", str(write(tmp_path, text))])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    db.session.expire_all()
    tee = db.session.scalar(db.select(Product))
    assert (tee.price, tee.active) == (Decimal("19.90"), False)
    assert tee.variants[0].stock == 4
    assert tee.description == "<p>New <b>text</b></p>"
    last = db.session.scalars(db.select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (last.delta, last.reason) == (-5, "import")


def test_a_bad_row_changes_nothing_and_names_row_and_column(runner, tmp_path):
    """One bad price rejects the whole file, naming its row and column."""
    make_product(name="Navy Tee", variants=[{"sku": "TEE-S", "stock": 9}])
    before = snapshot()
    text = HEADER + ("TEE-S,Navy Tee,,,19.90,1,,yes\n"
                     "NEW-1,New Thing,,,12.5.0,3,,yes\n"
                     "NEW-2,New Thing,size,,12.50,x,,maybe\n")
    result = runner.invoke(args=["products", "import", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "Row 3, column price" in result.output
    assert "Row 4, column variant" in result.output
    assert "Row 4, column stock" in result.output
    assert "Row 4, column active" in result.output
    assert snapshot() == before


def test_conflicting_rows_of_one_product_are_rejected(runner, tmp_path):
    """Two rows of the same product with different categories, or a repeated SKU, fail."""
    text = HEADER + ("A-1,Mug,colour=Red,home,9.00,1,,yes\n"
                     "A-2,Mug,colour=Blue,kitchen,9.00,1,,yes\n"
                     "A-1,Bowl,,home,5.00,1,,yes\n")
    result = runner.invoke(args=["products", "import", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert "Row 3, column category" in result.output
    assert "Row 4, column sku" in result.output
    assert count(Product) == 0


def test_wrong_header_is_rejected(runner, tmp_path):
    """A file without the expected header names row 1 and what is missing."""
    result = runner.invoke(args=["products", "import",
                                 str(write(tmp_path, "sku,name,price\nA,B,1\n"))])
    assert result.exit_code == 1
    assert "Row 1" in result.output and "missing product" in result.output


def test_export_then_import_changes_nothing(runner, tmp_path):
    """An exported catalog imports back with every row unchanged and no new movements."""
    category = make_category(slug="clothes", name="Clothes")
    make_product(name="Tee, \"classic\"", category=category, price="19.90",
                 description="<p>Line one,\nline two</p>",
                 variants=[{"sku": "TEE-S", "options": {"size": "S"}, "stock": 3},
                           {"sku": "TEE-L", "options": {"size": "L"}, "stock": 0,
                            "price": "21.00"}])
    make_product(name="Plain", active=False, variants=[{"sku": "PLAIN", "stock": 1}])
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["products", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(HEADER)
    before = snapshot()
    result = runner.invoke(args=["products", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 variants created, 0 updated, 3 unchanged" in result.output
    assert snapshot() == before


def test_dry_run_changes_nothing(runner, tmp_path):
    """`--dry-run` tells what would happen without doing it."""
    result = runner.invoke(args=["products", "import", "--dry-run",
                                 str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert "Would import: 4 variants created" in result.output
    assert count(Product) == 0


def upload(client, text, name="products.csv"):
    token = csrf_from(client, "/admin/product-import/")
    return client.post("/admin/product-import/preview/", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data")


def apply_token(html: str) -> str:
    import re

    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def test_back_office_upload_preview_apply(app, client, auth, tmp_path):
    """Staff upload a file, see what it will do, apply it, and the file is cleaned up."""
    make_product(name="Navy Tee", variants=[{"sku": "TEE-S", "stock": 1,
                                             "options": {"size": "S", "colour": "Navy"}}])
    auth.login("staff")
    response = upload(client, GOOD)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Create: 3 variant(s)" in html and "Update: 1 variant(s)" in html
    assert "Rejected: 0 row(s)" in html and "stock 1 → 5" in html
    assert count(Variant) == 1  # nothing changed yet
    folder = Path(app.config["IMPORT_FOLDER"])
    assert len(list(folder.glob("*.csv"))) == 1
    token = csrf_from(client, "/admin/product-import/")
    response = client.post("/admin/product-import/apply/", data={
        "csrf_token": token, "token": apply_token(html)})
    assert response.status_code == 302
    assert count(Variant) == 4
    assert not list(folder.glob("*.csv"))
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.object_type == "product",
                                                         AuditEvent.action == "create"))


def test_back_office_bad_file_lists_errors_and_changes_nothing(client, auth):
    """A wrong row shows in the preview with its row and column; apply is not offered."""
    auth.login("staff")
    text = HEADER + "A-1,Mug,,,9.00,1,,yes\nA-2,Cup,,,-3,1,,yes\n"
    html = upload(client, text).get_data(as_text=True)
    assert "This file cannot be imported" in html
    assert "<td>3</td><td>price</td>" in html
    assert "Rejected: 1 row(s)" in html and "Create: 1 variant(s)" in html
    assert "Apply the import" not in html
    assert count(Product) == 0


def test_apply_needs_the_uploaders_session(client, auth, app):
    """A made-up or someone else's import token imports nothing."""
    auth.login("staff")
    token = csrf_from(client, "/admin/product-import/")
    response = client.post("/admin/product-import/apply/", data={
        "csrf_token": token, "token": "A" * 32}, follow_redirects=True)
    assert "no longer available" in response.get_data(as_text=True)
    response = client.post("/admin/product-import/apply/", data={
        "csrf_token": token, "token": "../../etc/passwd"}, follow_redirects=True)
    assert "no longer available" in response.get_data(as_text=True)
    assert count(Product) == 0


def test_back_office_export_round_trip(client, auth):
    """The list export downloaded from the back office imports back unchanged."""
    make_product(name="Mug", variants=[{"sku": "MUG-1", "options": {"colour": "Red"},
                                        "stock": 2}])
    auth.login("staff")
    exported = client.get("/admin/product/export/csv/").get_data(as_text=True)
    full = client.get("/admin/product-import/export.csv").get_data(as_text=True)
    assert exported == full
    before = snapshot()
    html = upload(client, exported).get_data(as_text=True)
    assert "Unchanged: 1" in html
    token = csrf_from(client, "/admin/product-import/")
    client.post("/admin/product-import/apply/", data={"csrf_token": token,
                                                      "token": apply_token(html)})
    assert snapshot() == before


def test_customer_cannot_import(client, auth):
    """A customer gets 403 on the import pages and cannot post a file."""
    auth.login("customer")
    assert client.get("/admin/product-import/").status_code == 403
    token = csrf_from(client, "/")
    response = client.post("/admin/product-import/preview/", data={
        "csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "p.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 403
    assert count(Product) == 0


def test_import_and_export_on_postgresql(pg_app, tmp_path):
    """The import locks and updates rows on PostgreSQL too, and exports back the same."""
    runner = pg_app.test_cli_runner()
    result = runner.invoke(args=["products", "import", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    text = GOOD.replace("TEE-M,Navy Tee,size=M; colour=Navy,clothes,19.90,8",
                        "TEE-M,Navy Tee,size=M; colour=Navy,clothes,19.90,3")
    result = runner.invoke(args=["products", "import", str(write(tmp_path, text, "b.csv"))])
    assert "1 updated, 3 unchanged" in result.output
    assert db.session.scalar(db.select(Variant.stock).where(Variant.sku == "TEE-M")) == 3
    out = tmp_path / "out.csv"
    runner.invoke(args=["products", "export", str(out)])
    assert "TEE-M,Navy Tee,size=M; colour=Navy,clothes,19.90,3," in out.read_text()


def test_formula_names_are_neutralized_and_import_back_unchanged(client, auth, runner,
                                                                   tmp_path):
    """A product named `=1+1` exports as text a spreadsheet won't run, and imports back as is."""
    make_product(name="=1+1", price="5.00",
                 variants=[{"sku": "EQ-1", "stock": 2}])
    auth.login("staff")
    exported = client.get("/admin/product/export/csv/").get_data(as_text=True)
    row = exported.splitlines()[1]
    assert row.startswith("EQ-1,'=1+1,,,5.00,2,")
    out = write(tmp_path, exported, "export.csv")
    db.session.execute(db.update(Product).values(name="Renamed"))
    db.session.commit()
    result = runner.invoke(args=["products", "import", str(out)])
    assert result.exit_code == 0, result.output
    product = db.session.scalar(db.select(Product))
    db.session.refresh(product)
    assert product.name == "=1+1"
