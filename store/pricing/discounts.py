"""Discount codes: what a code is worth for a cart, and counting its uses with the order.

`resolve_code` checks a code against the cart and the customer and returns an
`AppliedDiscount` for store.pricing.totals.price_order, or refuses it with a message.
`claim_use` counts the use atomically inside place_order's transaction: the same discipline
as stock, so a code with one use left is used once however many buyers race for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from store.database import write_transaction
from store.errors import ValidationFailed
from store.extensions import db
from store.i18n import money
from store.models import DiscountCode, DiscountUse
from store.models.base import utcnow
from store.models.discounts import DISCOUNT_KINDS
from store.pricing.totals import ZERO, Discount, cents

FIELD = "discount_code"
MAX_CODE_LENGTH = 40
WELCOME = "WELCOME10"


@dataclass(frozen=True)
class AppliedDiscount(Discount):
    """A discount that came from a code: the code's id and its text (upper-case)."""

    code_id: int | None = None
    code: str = ""
    #: The products the amount is shared over (its VAT follows them); None: every line.
    product_ids: frozenset | None = None


def normalize(raw) -> str:
    """A code as stored: trimmed, upper-case ("" when nothing was typed)."""
    return " ".join(str(raw or "").split()).upper()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without their zone: they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _priced_lines(lines_or_cart) -> list[tuple]:
    """(product, amount) of each line: (variant, unit price, quantity) tuples, or anything
    with `variant` and `quantity` (cart lines) priced at the variant's price now."""
    lines = getattr(lines_or_cart, "lines", lines_or_cart) or []
    priced = []
    for line in lines:
        if isinstance(line, tuple):
            variant, price, quantity = line
        else:
            variant, price, quantity = line.variant, line.variant.price, line.quantity
        if isinstance(line, tuple) or (variant.active and variant.product.active):
            priced.append((variant.product, cents(Decimal(price) * int(quantity))))
    return priced


def _applies_to(code: DiscountCode, product) -> bool:
    if not code.categories and not code.products:
        return True
    return (product.id in {p.id for p in code.products}
            or product.category_id in {c.id for c in code.categories})


def uses_by(code_id: int, email: str | None, user_id: int | None) -> int:
    """How many placed orders used the code by this email or this account."""
    who = []
    if email:
        who.append(func.lower(DiscountUse.email) == email.lower())
    if user_id is not None:
        who.append(DiscountUse.user_id == user_id)
    if not who:
        return 0
    return db.session.scalar(select(func.count(DiscountUse.id)).where(
        DiscountUse.discount_code_id == code_id, or_(*who))) or 0


def _check_dates(code: DiscountCode, now: datetime) -> None:
    starts, ends = _aware(code.starts_at), _aware(code.ends_at)
    if starts is not None and now < starts:
        raise ValidationFailed(_("The discount code “%(code)s” is valid from %(date)s.",
                                 code=code.code, date=format_date(starts)), field=FIELD)
    if ends is not None and now >= ends:
        raise ValidationFailed(_("The discount code “%(code)s” expired on %(date)s.",
                                 code=code.code, date=format_date(ends)), field=FIELD)


def _check_limits(code: DiscountCode, email, user_id) -> None:
    if code.max_uses is not None and code.uses >= code.max_uses:
        raise ValidationFailed(_("The discount code “%(code)s” has been used up.",
                                 code=code.code), field=FIELD)
    if code.max_uses_per_customer is not None and \
            uses_by(code.id, email, user_id) >= code.max_uses_per_customer:
        raise ValidationFailed(_("You have already used the discount code “%(code)s” as "
                                 "many times as it allows.", code=code.code), field=FIELD)


def find_code(raw) -> DiscountCode:
    """The active code typed (any case); ValidationFailed when there is none."""
    text = normalize(raw)
    code = db.session.scalar(select(DiscountCode).where(
        DiscountCode.code == text[:MAX_CODE_LENGTH], DiscountCode.active.is_(True))) \
        if text else None
    if code is None:
        raise ValidationFailed(_("There is no discount code “%(code)s”. Please check it.",
                                 code=text[:MAX_CODE_LENGTH]), field=FIELD)
    return code


def resolve_code(raw, lines_or_cart, subtotal: Decimal | None = None, *,
                 email: str | None = None, user_id: int | None = None,
                 now: datetime | None = None) -> AppliedDiscount:
    """What the code `raw` takes off these lines, for this customer, now.

    Percent and fixed amounts apply to the lines the code covers only (a fixed amount never
    more than they cost); free shipping zeroes shipping. ValidationFailed (field
    "discount_code") for an unknown code, one not valid yet or expired, used up (in total or
    by this email or account), a cart under its minimum subtotal, or one without anything
    the code covers. `subtotal` defaults to the lines' own.
    """
    code = find_code(raw)
    _check_dates(code, _aware(now) or utcnow())
    _check_limits(code, email, user_id)
    priced = _priced_lines(lines_or_cart)
    subtotal = sum((amount for _p, amount in priced), ZERO) if subtotal is None else subtotal
    if subtotal < code.min_subtotal:
        raise ValidationFailed(_("The discount code “%(code)s” needs an order of at least "
                                 "%(amount)s.", code=code.code,
                                 amount=money(code.min_subtotal)), field=FIELD)
    covered = [(product, amount) for product, amount in priced if _applies_to(code, product)]
    eligible = sum((amount for _p, amount in covered), ZERO)
    if eligible <= 0:
        raise ValidationFailed(_("The discount code “%(code)s” does not apply to anything "
                                 "in your cart.", code=code.code), field=FIELD)
    if code.kind == "free_shipping":
        return AppliedDiscount(free_shipping=True, code_id=code.id, code=code.code)
    product_ids = None if len(covered) == len(priced) else frozenset(p.id for p, _a in covered)
    if code.kind == "percent":
        amount = cents(eligible * code.value / Decimal(100))
    else:
        amount = min(cents(code.value), eligible)
    return AppliedDiscount(amount=amount, code_id=code.id, code=code.code,
                           product_ids=product_ids)


def claim_use(discount: AppliedDiscount, order, email: str, user_id: int | None) -> None:
    """Count one use of the code for `order`, inside the caller's transaction.

    A conditional UPDATE takes the use only while one is left (and locks the code's row, so
    the per-customer count after it sees every committed use); otherwise ValidationFailed
    and the caller's transaction, stock reservation included, rolls back.
    """
    taken = db.session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == discount.code_id, DiscountCode.active.is_(True),
               or_(DiscountCode.max_uses.is_(None), DiscountCode.uses < DiscountCode.max_uses))
        .values(uses=DiscountCode.uses + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise ValidationFailed(_("Sorry, the discount code “%(code)s” has just been used up. "
                                 "Please remove it to place your order.",
                                 code=discount.code), field=FIELD)
    limit = db.session.scalar(select(DiscountCode.max_uses_per_customer)
                              .where(DiscountCode.id == discount.code_id))
    if limit is not None and uses_by(discount.code_id, email, user_id) >= limit:
        raise ValidationFailed(_("You have already used the discount code “%(code)s” as "
                                 "many times as it allows.", code=discount.code), field=FIELD)
    db.session.add(DiscountUse(discount_code_id=discount.code_id, order=order, email=email,
                               user_id=user_id))


def ensure_welcome_code() -> bool:
    """Seed the demo code WELCOME10 (10 % off everything) into a shop without codes.

    Commits; True when it seeded.
    """
    with write_transaction():
        if db.session.scalar(select(func.count(DiscountCode.id))):
            return False
        db.session.add(DiscountCode(code=WELCOME, description="Welcome: 10 % off",
                                    kind="percent", value=Decimal("10"), active=True))
    return True


def check_code(code: DiscountCode) -> None:
    """Refuse a code the back office cannot save: no text, an unknown kind, a percentage
    outside 0-100, negative amounts or limits, or an end not after the start. Normalizes
    the text to upper-case."""
    code.code = normalize(code.code).replace(" ", "")
    if not code.code or len(code.code) > MAX_CODE_LENGTH:
        raise ValidationFailed(f"A code is 1 to {MAX_CODE_LENGTH} characters.", field="code")
    if code.kind not in DISCOUNT_KINDS:
        raise ValidationFailed("Choose percent, fixed or free_shipping.", field="kind")
    code.value = code.value if code.value is not None else ZERO
    code.min_subtotal = code.min_subtotal if code.min_subtotal is not None else ZERO
    if code.value < 0 or (code.kind == "percent" and code.value > 100):
        raise ValidationFailed("A percentage is from 0 to 100; an amount is not negative.",
                               field="value")
    if code.min_subtotal < 0:
        raise ValidationFailed("The minimum subtotal cannot be negative.", field="min_subtotal")
    for name in ("max_uses", "max_uses_per_customer"):
        if getattr(code, name) is not None and getattr(code, name) < 1:
            raise ValidationFailed("A use limit is at least 1 (empty: no limit).", field=name)
    starts, ends = _aware(code.starts_at), _aware(code.ends_at)
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationFailed("The end must be after the start.", field="ends_at")
    with db.session.no_autoflush:  # not the code being saved, flushed early
        taken = db.session.scalar(select(DiscountCode.id).where(
            DiscountCode.code == code.code, DiscountCode.id != (code.id or 0)))
    if taken is not None:
        raise ValidationFailed(f"There is already a code {code.code}.", field="code")
