"""Catalog: categories, products, their variants and images."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, case
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Money, Timestamp


class Category(db.Model):
    """A shelf of the shop: books, clothes, jewelry, ..."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    products: Mapped[list[Product]] = relationship(back_populates="category")

    def __str__(self) -> str:
        return self.name


class Product(db.Model):
    """Something the shop sells; it is bought through one of its variants."""

    __tablename__ = "product"
    __table_args__ = (Index("ix_product_active_created", "active", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Sanitized HTML (see store.catalog.sanitize_description); safe to render.
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Money]
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Which VAT rate applies (store.pricing.taxes.TAX_CLASSES): standard, reduced, ...
    tax_class: Mapped[str] = mapped_column(String(16), default="standard",
                                           server_default="standard")
    created_at: Mapped[Timestamp]

    category: Mapped[Category | None] = relationship(back_populates="products")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )

    def __str__(self) -> str:
        return self.name


class Variant(db.Model):
    """A buyable version of a product (size, colour, ...) with its SKU and stock."""

    __tablename__ = "variant"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    # Option name -> value, e.g. {"size": "M"}; empty for a product without options.
    options: Mapped[dict] = mapped_column(db.JSON, default=dict)
    price_override: Mapped[Decimal | None] = mapped_column(db.Numeric(12, 2), nullable=True)
    # The sale's "was" price, shown struck through when above the price.
    compare_at_price: Mapped[Decimal | None] = mapped_column(db.Numeric(12, 2), nullable=True)
    # Changed only through store.inventory.services, which records a StockMovement.
    stock: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=3)
    # In kg, for shipping methods priced by weight.
    weight: Mapped[Decimal] = mapped_column(db.Numeric(8, 3), default=Decimal("0"),
                                            server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="variants")

    __table_args__ = (db.CheckConstraint("stock >= 0", name="stock_not_negative"),
                      # the dashboard's low-stock list reads variants from the emptiest up
                      Index("ix_variant_stock_sku", "stock", "sku"))

    @property
    def price(self) -> Decimal:
        """The price a customer pays for one unit."""
        return self.price_override if self.price_override is not None else self.product.price

    @property
    def was_price(self) -> Decimal | None:
        """The compare-at ("was") price to show struck through: only when above the price."""
        compare = self.compare_at_price
        return compare if compare is not None and compare > self.price else None

    @property
    def label(self) -> str:
        """Option values for display, e.g. "M / Navy"; empty for a default variant."""
        return " / ".join(str(v) for v in (self.options or {}).values())

    # The one definition of the stock levels (store.inventory.levels names them for queries
    # and screens). Hybrids, so the same comparison runs on a loaded variant and in SQL.
    @hybrid_method
    def is_low_at(self, stock):
        """Whether `stock` units on hand are low for this variant: at or under its threshold."""
        return stock <= self.low_stock_threshold

    @hybrid_property
    def is_low_stock(self):
        """At or under its low-stock threshold (out of stock included): time to restock."""
        return self.is_low_at(self.stock)

    @hybrid_property
    def is_out_of_stock(self):
        """Nothing on hand."""
        return self.stock <= 0

    @hybrid_property
    def stock_status(self) -> str:
        """One of "out", "low" or "in"."""
        if self.is_out_of_stock:
            return "out"
        if self.is_low_stock:
            return "low"
        return "in"

    @stock_status.inplace.expression
    @classmethod
    def _stock_status_expression(cls):
        return case((cls.is_out_of_stock, "out"), (cls.is_low_stock, "low"), else_="in")

    def __str__(self) -> str:
        label = self.label
        return f"{self.product.name} ({label})" if label else self.product.name


class ProductImage(db.Model):
    """An image of a product, stored under the upload folder with a thumbnail and WebP copies."""

    __tablename__ = "product_image"
    __table_args__ = (UniqueConstraint("path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    # Relative to the upload folder; the thumbnail sits beside it with a "thumb_" prefix.
    path: Mapped[str] = mapped_column(String(255))
    alt: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The original's size in pixels (set when stored; `flask images rebuild` fills old rows):
    # pages give it as width/height so nothing moves while it loads, and pick WebP widths.
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(back_populates="images")

    @property
    def thumb_path(self) -> str:
        head, _, tail = self.path.rpartition("/")
        return f"{head}/thumb_{tail}" if head else f"thumb_{tail}"
