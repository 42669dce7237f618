"""Product save rules (store.catalog.products), the ones the back office and the CSV share."""

from decimal import Decimal

import pytest

from store.catalog import products
from store.catalog.csv_import import import_products
from store.errors import ValidationFailed
from store.extensions import db
from store.models import Category, Product, Variant
from store.settings.services import update_settings
from tests.factories import make_category, make_order, make_product

HEADER = "sku,product,variant,category,price,stock,description,active\n"


def new_product(name="Blue Mug", description="", slug=None, variants=1) -> Product:
    product = Product(name=name, slug=slug, price=Decimal("12.50"), description=description)
    for i in range(variants):
        product.variants.append(Variant(sku=f"NEW-{i}", options={}, stock=0, position=i))
    return product


def test_description_is_cleaned_and_slug_made_from_the_name(app):
    """A new product's description loses its script, and its address comes from its name."""
    product = new_product(name="Café Noir Mug",
                          description="**Strong** <script>alert(1)</script>")

    products.prepare_product(product)

    assert product.description == "<p><strong>Strong</strong> </p>"
    assert product.slug == "cafe-noir-mug"


def test_slug_skips_those_in_use_and_those_just_handed_out(app):
    """A second "Blue Mug" gets blue-mug-3 when blue-mug is saved and blue-mug-2 is taken."""
    make_product(name="Blue Mug", slug="blue-mug")
    product = new_product(name="Blue Mug")

    products.prepare_product(product, taken={"blue-mug-2"})

    assert product.slug == "blue-mug-3"


def test_a_product_keeps_its_slug_and_its_own_does_not_count_as_taken(app):
    """A given slug is kept; clearing a product's slug gives it back the same one."""
    kept = new_product(slug="my-own-address")
    products.prepare_product(kept)
    existing = make_product(name="Green Cup", slug="green-cup")
    existing.slug = ""

    products.prepare_product(existing)

    assert kept.slug == "my-own-address"
    assert existing.slug == "green-cup"


def test_a_name_without_letters_gets_a_slug_all_the_same(app):
    """A product called "!!!" still gets an address, from the word "product"."""
    product = new_product(name="!!!")

    products.prepare_product(product)

    assert product.slug == "product"


def test_a_product_without_variants_is_refused(app):
    """Saving a product with no variant fails with a message naming the rule."""
    product = new_product(variants=0)

    with pytest.raises(ValidationFailed, match="at least one variant"):
        products.prepare_product(product)


def test_an_ordered_variant_cannot_be_removed_but_an_unordered_one_can(app):
    """Removing a variant someone bought is refused, naming its SKU; an unsold one is fine."""
    product = make_product(variants=[{"sku": "SOLD-1"}, {"sku": "FREE-1"}])
    sold, unsold = product.variants
    make_order(items=[(sold, 1)])

    with pytest.raises(ValidationFailed, match="SOLD-1 was ordered before"):
        products.prepare_product(product, removed_variants=[sold])
    products.prepare_product(product, removed_variants=[unsold])


def test_removing_the_last_variant_is_refused(app):
    """A save that deletes every variant of a product is refused: one must stay."""
    product = make_product(variants=[{"sku": "ONLY-1"}])

    with pytest.raises(ValidationFailed, match="at least one variant"):
        products.prepare_product(product, removed_variants=list(product.variants))


def test_a_product_with_an_ordered_variant_cannot_be_deleted(app):
    """Deleting a product is refused once one of its variants was ordered."""
    product = make_product(variants=[{"sku": "TEE-S"}])
    untouched = make_product()
    products.check_product_deletable(untouched)

    make_order(items=[(product.variants[0], 2)])

    with pytest.raises(ValidationFailed, match="cannot be deleted; untick Active instead"):
        products.check_product_deletable(product)


def test_a_category_gets_a_free_slug_from_its_name(app):
    """A new category "Café Noir" is at cafe-noir, or cafe-noir-2 when that is in use."""
    first = Category(name="Café Noir")
    products.prepare_category(first)
    make_category(name="Cafe Noir", slug="cafe-noir")
    second = Category(name="Café Noir")

    products.prepare_category(second)

    assert (first.slug, second.slug) == ("cafe-noir", "cafe-noir-2")


def test_the_csv_import_follows_the_same_rules(app):
    """An imported product gets a free slug and a cleaned description, as in the back office."""
    make_product(name="Old Blue Mug", slug="blue-mug")

    import_products(HEADER + "MUG-1,Blue Mug,,,9.00,1,<b>Big</b><script>x()</script>,yes\n")

    imported = db.session.scalar(db.select(Product).where(Product.name == "Blue Mug"))
    assert imported.slug == "blue-mug-2"
    assert imported.description == "<p><b>Big</b></p>"


def test_a_variant_without_a_threshold_takes_the_shops_default(app):
    """A variant saved with no low-stock threshold gets the one set in the store settings;
    one given explicitly keeps it."""
    update_settings({"low_stock_threshold": 7}, actor=None)
    product = new_product(variants=2)
    product.variants[0].low_stock_threshold = None
    product.variants[1].low_stock_threshold = 2

    products.prepare_product(product)

    assert [v.low_stock_threshold for v in product.variants] == [7, 2]
