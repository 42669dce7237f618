"""The demo shop (from seeds/catalog.json) and large synthetic catalogs for benchmarks."""

import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text

from store.accounts import services as accounts
from store.catalog.html import sanitize_description
from store.catalog.images import make_variants
from store.config import ROOT
from store.database import begin_write, is_sqlite
from store.dev.bulk import bulk_insert
from store.extensions import db
from store.inventory import services as inventory
from store.models import Category, Product, ProductImage, StockMovement, User, Variant
from store.models.base import utcnow
from store.pages.services import ensure_default_pages
from store.pricing import discounts, shipping, taxes

SEEDS = ROOT / "seeds"
DEMO_USERS = (("owner@example.com", "owner", "Olivia Owner"),
              ("staff@example.com", "staff", "Sam Staff"),
              ("customer@example.com", "customer", "Carla Customer"))


def seed_demo() -> dict:
    """Roles, tax rates, shipping zones, the discount code and pages; outside production also
    the demo accounts and, when the shop is empty, the demo catalog."""
    accounts.ensure_roles()
    taxes.seed_tax_rates()
    shipping.ensure_default_zones()
    discounts.ensure_welcome_code()
    ensure_default_pages()
    created = {"users": 0, "products": 0}
    if current_app.config.get("STORE_DEMO_ACCOUNTS"):
        password = current_app.config["STORE_DEMO_PASSWORD"]
        for email, role, name in DEMO_USERS:
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                accounts.create_user(email, password, [role], full_name=name)
                created["users"] += 1
    # A real shop starts with its own catalog: the demo one only outside production.
    demo_catalog = current_app.config.get("STORE_ENV") != "production"
    if demo_catalog and db.session.scalar(select(func.count(Product.id))) == 0:
        created["products"] = load_catalog(SEEDS / "catalog.json")
    return created


def load_catalog(path: Path) -> int:
    """Load categories, products, variants (with stock movements) and images. Commits."""
    data = json.loads(path.read_text(encoding="utf-8"))
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    categories = {}
    for position, item in enumerate(data["categories"]):
        category = Category(slug=item["slug"], name=item["name"],
                            description=item.get("description", ""), position=position)
        db.session.add(category)
        categories[item["slug"]] = category
    count = 0
    for item in data["products"]:
        product = Product(
            slug=item["slug"], name=item["name"], price=Decimal(item["price"]),
            description=sanitize_description(item.get("description", "")),
            category=categories.get(item["category"]), featured=item.get("featured", False),
            active=item.get("active", True),
        )
        for position, v in enumerate(item["variants"]):
            override = v.get("price")
            product.variants.append(Variant(
                sku=v["sku"], options=v.get("options") or {}, position=position,
                price_override=Decimal(override) if override else None, stock=0,
                low_stock_threshold=v.get("low_stock_threshold", 3)))
        for position, rel in enumerate(item.get("images", [])):
            source = SEEDS / "images" / rel
            target = uploads / "products" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            width, height = make_variants(target)
            product.images.append(ProductImage(path=f"products/{rel}", alt=item["name"],
                                               position=position, width=width, height=height))
        db.session.add(product)
        db.session.flush()
        for variant, v in zip(product.variants, item["variants"], strict=True):
            inventory.set_initial_stock(variant, int(v.get("stock", 0)))
        count += 1
    db.session.commit()
    return count


WORDS = ("linen", "amber", "quiet", "harbour", "silver", "meadow", "velvet", "river",
         "cedar", "north", "garden", "copper", "cotton", "wool", "little", "grand", "night",
         "morning", "story", "atlas", "ring", "scarf", "shirt", "novel", "poems", "stone")


def seed_synthetic(n_products: int, progress=None, batch: int = 5000) -> int:
    """Add n synthetic products (3 variants each, with stock movements) quickly. Commits.

    Plain executemany inserts with ids chosen here, one transaction per batch. On SQLite the
    variants go in before their products (foreign keys checked at commit), so the search
    index's triggers index each product once, with its SKUs, instead of four times.
    """
    rng = random.Random(n_products)
    accounts.ensure_roles()
    category_ids = list(db.session.scalars(select(Category.id)))
    if not category_ids:
        for slug in ("books", "clothes", "jewelry"):
            db.session.add(Category(slug=slug, name=slug.title()))
        db.session.flush()
        category_ids = list(db.session.scalars(select(Category.id)))
    start = (db.session.scalar(select(func.max(Product.id))) or 0) + 1
    first_variant = (db.session.scalar(select(func.max(Variant.id))) or 0) + 1
    db.session.commit()
    now = utcnow()
    done = 0
    while done < n_products:
        size = min(batch, n_products - done)
        products, variants = [], []
        for i in range(start + done, start + done + size):
            name = " ".join(rng.choice(WORDS) for _ in range(3)).title()
            products.append({
                "id": i, "slug": f"synthetic-{i}", "name": f"{name} {i}",
                "description": f"<p>{name}: a synthetic product for benchmarks.</p>",
                "price": Decimal(rng.randint(450, 24000)) / 100,
                "category_id": rng.choice(category_ids), "active": True, "featured": False,
                "created_at": now,
            })
            for position, label in enumerate(("S", "M", "L")):
                variants.append({
                    "id": first_variant + 3 * (i - start) + position, "product_id": i,
                    "sku": f"SYN-{i}-{label}", "options": {"size": label},
                    "price_override": None, "stock": rng.randint(0, 40),
                    "low_stock_threshold": 3, "active": True, "position": position,
                })
        movements = [{"variant_id": v["id"], "delta": v["stock"], "stock_after": v["stock"],
                      "reason": "initial", "note": "synthetic", "created_at": now}
                     for v in variants if v["stock"] > 0]
        begin_write()
        if is_sqlite():
            db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
            bulk_insert(Variant, variants)
            bulk_insert(Product, products)
        else:
            bulk_insert(Product, products)
            bulk_insert(Variant, variants)
        bulk_insert(StockMovement, movements)
        db.session.commit()
        done += size
        if progress:
            progress(size)
    return done
