"""Discount codes: what each kind takes off, every reason a code is refused, and counting
its uses (store.pricing.discounts)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from flask_migrate import upgrade

from store import create_app
from store.errors import ValidationFailed
from store.extensions import db
from store.models import DiscountCode, DiscountUse
from store.pricing import discounts
from store.pricing.discounts import claim_use, resolve_code
from store.pricing.taxes import seed_tax_rates
from store.pricing.totals import price_order
from tests.conftest import base_config
from tests.factories import make_category, make_order, make_product

D = Decimal
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def make_code(code="SAVE", kind="percent", value="10", **fields) -> DiscountCode:
    found = DiscountCode(code=code, kind=kind, value=D(value), **fields)
    db.session.add(found)
    db.session.commit()
    return found


def lines_of(*products_and_quantities):
    return [(p.variants[0], p.price, q) for p, q in products_and_quantities]


def refusal(raw, lines, **kwargs) -> str:
    with pytest.raises(ValidationFailed) as caught:
        resolve_code(raw, lines, **kwargs)
    assert caught.value.details["field"] == "discount_code"
    return caught.value.message


def test_percent_of_the_whole_cart(app):
    """WELCOME10 takes 10 % off, rounded half up to the cent, whatever the case typed."""
    # given a 22.05 tee (10 % is 2.205); when the code is typed in lower case with spaces
    tee = make_product(price="22.05")
    discount = resolve_code(" welcome10 ", lines_of((tee, 1)), now=NOW)
    # then 2.21 comes off and the code is the stored one
    assert (discount.amount, discount.free_shipping, discount.code) == (D("2.21"), False,
                                                                        "WELCOME10")


def test_fixed_amount_never_more_than_the_lines(app):
    """A €50 voucher on a €22 cart takes 22 off, not more."""
    make_code("FIFTY", "fixed", "50")
    tee = make_product(price="22.00")
    assert resolve_code("FIFTY", lines_of((tee, 1)), now=NOW).amount == D("22.00")
    assert resolve_code("FIFTY", lines_of((tee, 3)), now=NOW).amount == D("50.00")


def test_free_shipping_zeroes_shipping(app):
    """A free-shipping code makes delivery free and takes nothing off the goods."""
    seed_tax_rates()
    make_code("SHIPFREE", "free_shipping", "0")
    tee = make_product(price="22.00")
    lines = lines_of((tee, 1))
    discount = resolve_code("SHIPFREE", lines, now=NOW)
    price = price_order(lines, country="ES", shipping_method="standard", discount=discount)
    assert (discount.free_shipping, price.discount, price.shipping, price.total) == (
        True, D("0.00"), D("0.00"), D("22.00"))


def test_only_the_chosen_categories_and_products(app):
    """A code for books takes its percentage off the books only."""
    books = make_category(name="Books")
    book = make_product(price="30.00", category=books)
    tee = make_product(price="20.00")
    mug = make_product(price="8.00")
    code = make_code("BOOKS20", value="20")
    code.categories.append(books)
    code.products.append(mug)
    db.session.commit()
    lines = lines_of((book, 1), (tee, 1), (mug, 2))
    # 20 % of the book (30.00) and the two mugs (16.00)
    assert resolve_code("BOOKS20", lines, now=NOW).amount == D("9.20")
    message = refusal("BOOKS20", lines_of((tee, 1)), now=NOW)
    assert message == "The discount code “BOOKS20” does not apply to anything in your cart."


def test_unknown_and_switched_off_codes(app):
    """A code that does not exist, or that the shop switched off, is unknown."""
    tee = make_product(price="22.00")
    make_code("OLD", active=False)
    assert refusal("NOPE", lines_of((tee, 1))) == \
        "There is no discount code “NOPE”. Please check it."
    assert "There is no discount code “OLD”" in refusal("old", lines_of((tee, 1)))


def test_not_yet_valid_and_expired(app):
    """Before its start a code is not valid yet; from its end it has expired."""
    tee = make_product(price="22.00")
    make_code("SOON", starts_at=NOW + timedelta(days=1))
    make_code("GONE", ends_at=NOW - timedelta(seconds=1))
    make_code("NOW", starts_at=NOW, ends_at=NOW + timedelta(days=1))
    assert refusal("SOON", lines_of((tee, 1)), now=NOW) == \
        "The discount code “SOON” is valid from Dec 2, 2026."
    assert refusal("GONE", lines_of((tee, 1)), now=NOW) == \
        "The discount code “GONE” expired on Dec 1, 2026."
    assert resolve_code("NOW", lines_of((tee, 1)), now=NOW).amount == D("2.20")


def test_minimum_subtotal(app):
    """Under the code's minimum subtotal the code is refused, saying the minimum."""
    make_code("BIG", min_subtotal=D("50.00"))
    tee = make_product(price="22.00")
    assert refusal("BIG", lines_of((tee, 2)), now=NOW) == \
        "The discount code “BIG” needs an order of at least €50.00."
    assert resolve_code("BIG", lines_of((tee, 3)), now=NOW).amount == D("6.60")


def test_used_up_in_total(app):
    """A code whose uses are all taken is used up."""
    make_code("TEN", max_uses=10, uses=10)
    tee = make_product(price="22.00")
    assert refusal("TEN", lines_of((tee, 1)), now=NOW) == \
        "The discount code “TEN” has been used up."


def test_used_up_by_this_customer(app):
    """Once per customer: the same email (any case) or account is refused a second time."""
    code = make_code("ONCE", max_uses_per_customer=1)
    tee = make_product(price="22.00")
    order = make_order(email="ana@example.com")
    db.session.add(DiscountUse(discount_code_id=code.id, order_id=order.id,
                               email="ana@example.com"))
    db.session.commit()
    message = refusal("ONCE", lines_of((tee, 1)), email="ANA@example.com", now=NOW)
    assert message == ("You have already used the discount code “ONCE” as many times as "
                       "it allows.")
    assert resolve_code("ONCE", lines_of((tee, 1)), email="bea@example.com", now=NOW)


def test_messages_in_spanish(app):
    """The refusals are translated for the Spanish storefront."""
    tee = make_product(price="22.00")
    with force_locale("es"):
        assert refusal("NOPE", lines_of((tee, 1))) == \
            "No existe el código de descuento «NOPE». Revísalo, por favor."


def test_claim_use_counts_once_and_refuses_the_last_plus_one(app):
    """Claiming counts a use and records who; with none left it refuses."""
    code = make_code("TWO", max_uses=2, uses=1)
    tee = make_product(price="22.00")
    discount = resolve_code("TWO", lines_of((tee, 1)), now=NOW)
    first, second = make_order(email="a@example.com"), make_order(email="b@example.com")
    claim_use(discount, first, "a@example.com", None)
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        claim_use(discount, second, "b@example.com", None)
    db.session.rollback()
    assert "has just been used up" in caught.value.message
    db.session.expire_all()
    assert db.session.get(DiscountCode, code.id).uses == 2
    [use] = db.session.scalars(db.select(DiscountUse))
    assert (use.order_id, use.email) == (first.id, "a@example.com")


def test_claim_use_checks_the_customer_limit(app):
    """The per-customer limit is checked again when the order is placed."""
    code = make_code("ONCE", max_uses_per_customer=1)
    tee = make_product(price="22.00")
    discount = resolve_code("ONCE", lines_of((tee, 1)), email="a@example.com", now=NOW)
    claim_use(discount, make_order(email="a@example.com"), "a@example.com", None)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        claim_use(discount, make_order(email="a@example.com"), "a@example.com", None)
    db.session.rollback()
    assert db.session.get(DiscountCode, code.id).uses == 1


def test_welcome_code_seeded_once(app):
    """A new shop has WELCOME10 (10 %, everything); seeding again adds nothing."""
    assert discounts.ensure_welcome_code() is False
    [code] = db.session.scalars(db.select(DiscountCode))
    assert (code.code, code.kind, code.value, code.max_uses) == ("WELCOME10", "percent",
                                                                 D("10.00"), None)


def test_a_category_code_lowers_only_its_lines_vat(app):
    """20 % off books comes off the book's line only, so only the book's 4 % VAT drops."""
    # given a 30.00 book (4 % VAT in Spain) and a 20.00 tee (21 %), books 20 % off
    seed_tax_rates()
    books = make_category(name="Books")
    book = make_product(price="30.00", category=books, tax_class="super-reduced")
    tee = make_product(price="20.00")
    code = make_code("BOOKS20", value="20")
    code.categories.append(books)
    db.session.commit()
    lines = lines_of((book, 1), (tee, 1))
    # when the cart is priced with the code
    price = price_order(lines, country="ES", shipping_method="standard",
                        discount=resolve_code("BOOKS20", lines, now=NOW))
    # then the book carries the whole 6.00 and its VAT is that of 24.00
    book_line, tee_line = price.lines
    assert (book_line.discount, tee_line.discount) == (D("6.00"), D("0.00"))
    assert (book_line.tax_amount, tee_line.tax_amount) == (D("0.92"), D("3.47"))
    assert price.total == D("44.00") + D("4.90")


def test_migrated_shop_has_welcome10(tmp_path):
    """`flask db upgrade` on an existing shop adds the demo code WELCOME10 (10 %)."""
    app = create_app(base_config(
        tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrated.db'}"))
    with app.app_context():
        upgrade()
        code = db.session.scalar(db.select(DiscountCode))
        assert (code.code, code.kind, code.value, code.uses, code.active) == (
            "WELCOME10", "percent", D("10.00"), 0, True)
        db.session.remove()
        db.engine.dispose()
