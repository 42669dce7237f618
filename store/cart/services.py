"""Carts: one mechanism for visitors (a token kept in their session) and customers (a saved
cart per account), merged when a visitor signs in. Totals are always computed here, from the
current prices in the database."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from store.database import row_id, write_transaction
from store.errors import EmptyCart, NotFound, OutOfStock, ValidationFailed
from store.extensions import db
from store.models import Cart, CartLine, Product, Variant
from store.models.base import utcnow
from store.pricing import discounts, shipping
from store.pricing.totals import OrderPrice, price_order

MAX_LINE_QUANTITY = 99
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in customer's (user_id) or a visitor's (the token in their session)."""

    token: str | None = None
    user_id: int | None = None


@dataclass
class LineView:
    """A cart line as the customer sees it, priced now."""

    line: CartLine
    unit_price: Decimal
    line_total: Decimal
    #: The variant or product was withdrawn from sale.
    unavailable: bool
    #: Fewer on hand than the quantity in the cart (0 means sold out).
    short_of_stock: bool

    @property
    def id(self) -> int:
        return self.line.id

    @property
    def variant(self) -> Variant:
        return self.line.variant

    @property
    def product(self) -> Product:
        return self.line.variant.product

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def stock(self) -> int:
        return self.line.variant.stock

    @property
    def price_seen(self) -> Decimal:
        return self.line.price_seen

    @property
    def price_changed(self) -> bool:
        return not self.unavailable and self.line.price_seen != self.unit_price

    @property
    def name(self) -> str:
        return display_name(self.line.variant)


@dataclass
class CartSummary:
    """A cart priced for display or checkout (the money from store.pricing.totals)."""

    cart: Cart | None
    lines: list[LineView] = field(default_factory=list)
    shipping_method: str = "standard"
    price: OrderPrice | None = None
    #: The code's discount it was priced with (store.pricing.discounts.AppliedDiscount).
    discount: object | None = None

    @property
    def subtotal(self) -> Decimal:
        return self.price.subtotal if self.price else ZERO

    @property
    def shipping(self) -> Decimal:
        return self.price.shipping if self.price else ZERO

    @property
    def total(self) -> Decimal:
        return self.price.total if self.price else ZERO

    @property
    def item_count(self) -> int:
        return sum(view.quantity for view in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def problems(self) -> list[LineView]:
        """Lines that stop checkout until the customer changes them."""
        return [view for view in self.lines if view.unavailable or view.short_of_stock]

    @property
    def has_notices(self) -> bool:
        return any(view.price_changed for view in self.lines) or bool(self.problems)


def display_name(variant: Variant) -> str:
    """A variant as customers name it: "Harbour Tee (M / Navy)"."""
    label = variant.label
    return f"{variant.product.name} ({label})" if label else variant.product.name


def parse_quantity(raw, *, allow_zero: bool = False) -> int:
    """A quantity from a form: a whole number from 1 (or 0 to remove) to MAX_LINE_QUANTITY."""
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        quantity = None
    low = 0 if allow_zero else 1
    if quantity is None or quantity < low or quantity > MAX_LINE_QUANTITY:
        raise ValidationFailed(
            _("Please enter a quantity from %(low)d to %(high)d.", low=low,
              high=MAX_LINE_QUANTITY), field="quantity")
    return quantity


def _cart_query(images: bool = True):
    if not images:  # checkout: lines with their variants and products, in one more query
        return select(Cart).options(
            selectinload(Cart.lines).joinedload(CartLine.variant, innerjoin=True)
            .joinedload(Variant.product, innerjoin=True))
    return select(Cart).options(
        selectinload(Cart.lines).selectinload(CartLine.variant).selectinload(Variant.product)
        .selectinload(Product.images)
    )


def find_cart(owner: CartOwner, *, lock: bool = False, images: bool = True) -> Cart | None:
    """The owner's cart with its lines, variants and products (and their images, unless
    `images` is False) loaded, or None.

    With `lock`, the cart row is locked (PostgreSQL) so two requests on one cart take turns;
    SQLite's write transactions already do.
    """
    if owner.user_id is not None:
        stmt = _cart_query(images).where(Cart.user_id == owner.user_id)
    elif owner.token:
        stmt = _cart_query(images).where(Cart.token == owner.token, Cart.user_id.is_(None))
    else:
        return None
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def item_count(owner: CartOwner) -> int:
    """How many items the owner's cart holds (one query; for the header badge)."""
    if owner.user_id is not None:
        where = Cart.user_id == owner.user_id
    elif owner.token:
        where = (Cart.token == owner.token) & Cart.user_id.is_(None)
    else:
        return 0
    stmt = select(func.coalesce(func.sum(CartLine.quantity), 0)).join(Cart).where(where)
    return int(db.session.scalar(stmt) or 0)


def _new_cart(owner: CartOwner) -> Cart:
    cart = Cart(token=secrets.token_urlsafe(32), user_id=owner.user_id)
    db.session.add(cart)
    db.session.flush()
    return cart


def _buyable_variant(variant_id) -> Variant:
    variant_id = row_id(variant_id)
    variant = db.session.get(Variant, variant_id) if variant_id else None
    if variant is None:
        raise NotFound(_("That product option does not exist."), field="variant_id")
    if not variant.active or not variant.product.active:
        raise ValidationFailed(_("“%(name)s” is no longer for sale.",
                                 name=display_name(variant)), field="variant_id")
    return variant


def _check_stock(variant: Variant, wanted: int, in_cart: int = 0) -> None:
    if wanted <= variant.stock:
        return
    name = display_name(variant)
    if variant.stock <= 0:
        raise OutOfStock(_("Sorry, “%(name)s” is sold out.", name=name),
                         variant_id=variant.id)
    if in_cart:
        raise OutOfStock(_("Only %(stock)d of “%(name)s” in stock, and you already have "
                           "%(count)d in your cart.", stock=variant.stock, name=name,
                           count=in_cart), variant_id=variant.id)
    raise OutOfStock(_("Only %(stock)d of “%(name)s” in stock.", stock=variant.stock,
                       name=name), variant_id=variant.id)


def add_item(owner: CartOwner, variant_id, quantity) -> Cart:
    """Put a quantity of a variant in the owner's cart (creating it). Commits.

    Refuses, changing nothing, an unknown or withdrawn variant, a quantity that is not a whole
    number from 1, and more than is in stock (counting what is already in the cart).
    """
    quantity = parse_quantity(quantity)
    try:
        with write_transaction():
            variant = _buyable_variant(variant_id)
            cart = find_cart(owner, lock=True) or _new_cart(owner)
            line = next((ln for ln in cart.lines if ln.variant_id == variant.id), None)
            already = line.quantity if line else 0
            total = already + quantity
            if total > MAX_LINE_QUANTITY:
                raise ValidationFailed(_("You can buy at most %(max)d of one item at a time.",
                                         max=MAX_LINE_QUANTITY), field="quantity")
            _check_stock(variant, total, already)
            if line is None:
                cart.lines.append(CartLine(variant=variant, quantity=total,
                                           price_seen=variant.price))
            else:
                line.quantity = total
                line.price_seen = variant.price
            cart.updated_at = utcnow()
    except IntegrityError:  # a customer's first cart created twice at once: use the other
        db.session.rollback()
        if owner.user_id is None:
            raise
        return add_item(owner, variant_id, quantity)
    return cart


def update_item(owner: CartOwner, line_id, quantity) -> Cart | None:
    """Change a line's quantity (0 removes it); the line must be in the owner's cart. Commits."""
    quantity = parse_quantity(quantity, allow_zero=True)
    with write_transaction():
        cart = find_cart(owner, lock=True)
        line = None
        if cart is not None:
            line = next((ln for ln in cart.lines if str(ln.id) == str(line_id)), None)
        if line is None:
            raise NotFound(_("That item is not in your cart."))
        if quantity == 0:
            cart.lines.remove(line)
        else:
            if quantity > line.quantity:
                variant = _buyable_variant(line.variant_id)
                _check_stock(variant, quantity)
            line.quantity = quantity
            # Changing the line is the customer taking note of today's price.
            line.price_seen = line.variant.price
        cart.updated_at = utcnow()
    return cart


def remove_item(owner: CartOwner, line_id) -> Cart | None:
    """Take a line out of the owner's cart. Commits."""
    return update_item(owner, line_id, 0)


def merge_into_user(token: str | None, user_id: int) -> Cart | None:
    """A visitor signed in: move their cart's lines into the customer's saved cart. Commits.

    Quantities of the same variant add up, capped by what is in stock; the visitor's cart
    is then deleted.
    """
    if not token:
        return None
    with write_transaction():
        visitor = find_cart(CartOwner(token=token), lock=True)
        if visitor is None:
            return None
        saved = find_cart(CartOwner(user_id=user_id), lock=True)
        if saved is None:
            visitor.user_id = user_id
            return visitor
        existing = {line.variant_id: line for line in saved.lines}
        for line in list(visitor.lines):
            target = existing.get(line.variant_id)
            if target is None:
                saved.lines.append(CartLine(variant_id=line.variant_id, quantity=line.quantity,
                                            price_seen=line.price_seen))
            else:
                cap = max(line.variant.stock, target.quantity, 1)
                target.quantity = min(target.quantity + line.quantity, cap, MAX_LINE_QUANTITY)
        saved.discount_code = saved.discount_code or visitor.discount_code
        db.session.delete(visitor)
        saved.updated_at = utcnow()
    return saved


def set_discount_code(owner: CartOwner, raw, *, email: str | None = None) -> str | None:
    """Remember a discount code on the owner's cart ("" forgets it). Commits.

    The code is checked against the cart first (ValidationFailed, field "discount_code",
    remembering nothing); it is checked again at checkout. Returns the code as stored.
    """
    code = discounts.normalize(raw)
    with write_transaction():
        cart = find_cart(owner, lock=True)
        if cart is None or not cart.lines:
            raise EmptyCart(_("Your cart is empty."))
        if code:
            code = discounts.resolve_code(code, cart, email=email,
                                          user_id=owner.user_id).code
        cart.discount_code = code or None
        cart.updated_at = utcnow()
    return cart.discount_code


def cart_discount(cart: Cart | None, *, email: str | None = None, code=None):
    """The discount of the code remembered on the cart (or `code`): (discount, message).

    The message says why a code no longer applies (the cart changed, it expired, ...).
    """
    code = discounts.normalize(code if code is not None else getattr(cart, "discount_code", ""))
    if not code or cart is None:
        return None, None
    try:
        return discounts.resolve_code(code, cart, email=email, user_id=cart.user_id), None
    except ValidationFailed as exc:
        return None, exc.message


def summarize(cart: Cart | None, shipping_method: str = "standard", *,
              country: str | None = None, discount=None) -> CartSummary:
    """Price a loaded cart from current prices: lines, subtotal, shipping, VAT and total.

    Without an address yet, the cart is priced for the shop's default country. Withdrawn
    lines are shown but not counted; lines short of stock are counted and flagged.
    """
    if shipping_method not in shipping.METHODS:
        shipping_method = "standard"
    views = []
    for line in (cart.lines if cart is not None else []):
        variant = line.variant
        views.append(LineView(
            line=line, unit_price=variant.price, line_total=ZERO,
            unavailable=not (variant.active and variant.product.active),
            short_of_stock=line.quantity > variant.stock,
        ))
    counted = [view for view in views if not view.unavailable]
    price = price_order([(v.variant, v.unit_price, v.quantity) for v in counted],
                        country=country or shipping.default_country(),
                        shipping_method=shipping_method, discount=discount,
                        weight=shipping.cart_weight(counted))
    for view, priced in zip(counted, price.lines, strict=True):
        view.line_total = priced.line_total
    return CartSummary(cart=cart, lines=views, shipping_method=shipping_method, price=price,
                       discount=discount)
