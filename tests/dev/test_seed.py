"""The demo shop seed and the synthetic catalog generator."""

from sqlalchemy import func, select

from store.extensions import db
from store.models import Category, Product, Role, StockMovement, User, Variant


def test_demo_seed_is_idempotent(app, runner):
    """Seeding twice loads the demo shop once, with images, stock movements and accounts."""
    app.config["STORE_DEMO_ACCOUNTS"] = True
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "owner@example.com" in first.output and "storedemo123" in first.output
    products = db.session.scalar(select(func.count(Product.id)))
    variants = db.session.scalar(select(func.count(Variant.id)))
    movements = db.session.scalar(select(func.count(StockMovement.id)))
    assert products >= 30
    assert {c.slug for c in db.session.scalars(select(Category))} >= {"books", "clothes",
                                                                      "jewelry"}
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count(Product.id))) == products
    assert db.session.scalar(select(func.count(Variant.id))) == variants
    assert db.session.scalar(select(func.count(StockMovement.id))) == movements
    assert db.session.scalar(select(func.count(User.id))) == 3


def test_seeded_stock_matches_ledger(app, runner):
    """Every seeded variant's stock equals the sum of its stock movements."""
    runner.invoke(args=["seed"])
    rows = db.session.execute(
        select(Variant.id, Variant.stock, func.coalesce(func.sum(StockMovement.delta), 0))
        .outerjoin(StockMovement, StockMovement.variant_id == Variant.id)
        .group_by(Variant.id, Variant.stock)).all()
    assert rows and all(stock == ledger for _id, stock, ledger in rows)


def test_seeded_images_are_served(app, runner, client):
    """The demo product images and thumbnails are served to the storefront."""
    runner.invoke(args=["seed"])
    product = db.session.scalar(select(Product).where(Product.images.any()))
    image = product.images[0]
    assert client.get(f"/uploads/{image.path}").status_code == 200
    assert client.get(f"/uploads/{image.thumb_path}").status_code == 200
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert image.path in html


def test_no_demo_accounts_in_production_mode(app, runner):
    """With demo accounts off (production), seeding creates none."""
    app.config["STORE_DEMO_ACCOUNTS"] = False
    runner.invoke(args=["seed"])
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_production_seeding_adds_the_rules_but_not_the_demo_catalog(app, runner):
    """A real shop's `flask seed` prepares roles and pages, and leaves the catalog empty."""
    app.config.update(STORE_ENV="production", STORE_DEMO_ACCOUNTS=False)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Product.id))) == 0
    assert db.session.scalar(select(func.count(Role.id))) >= 3


def test_synthetic_catalog(app, runner):
    """`flask seed --products N` adds N products with three variants each."""
    result = runner.invoke(args=["seed", "--products", "500"])
    assert result.exit_code == 0, result.output
    synthetic = db.session.scalar(
        select(func.count(Product.id)).where(Product.slug.like("synthetic-%")))
    assert synthetic == 500
    assert db.session.scalar(
        select(func.count(Variant.id)).where(Variant.sku.like("SYN-%"))) == 1500
