"""price_order: VAT extracted or added per line, shipping taxed, discounts, rounding."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.pricing.taxes import TAX_CLASSES, seed_tax_rates
from store.pricing.totals import Discount, price_order

D = Decimal


@pytest.fixture(autouse=True)
def rates(app):
    """The seeded rates: Spain 21 / 10 / 4 / 0, the EU standard rates."""
    seed_tax_rates()


def test_demo_tee_to_spain_includes_vat():
    """A €22.00 tee shipped to Spain: shipping 4.90, total 26.90, of which VAT 4.67."""
    # when the demo tee is priced for Spain with prices including VAT
    price = price_order([("standard", D("22.00"), 1)], country="ES",
                        shipping_method="standard", prices_include_tax=True)
    # then the sticker price is what is paid, and the VAT is extracted from it
    assert (price.subtotal, price.shipping, price.total) == (D("22.00"), D("4.90"), D("26.90"))
    assert price.lines[0].tax_amount == D("3.82") and price.shipping_tax == D("0.85")
    assert price.lines[0].unit_price_net == D("18.18") and price.lines[0].tax_rate == D("21")
    assert price.tax == D("4.67")
    assert [(s.rate, s.amount) for s in price.taxes] == [(D("21"), D("4.67"))]


def test_prices_without_vat_get_it_added():
    """With net catalog prices, VAT is added to the lines and the shipping."""
    price = price_order([("standard", D("22.00"), 1)], country="ES",
                        shipping_method="standard", prices_include_tax=False)
    assert price.lines[0].tax_amount == D("4.62") and price.shipping_tax == D("1.03")
    assert price.tax == D("5.65") and price.total == D("32.55")


def test_mixed_classes_give_one_row_per_rate():
    """A book (reduced) and a tee (standard) show VAT 10 % and VAT 21 % separately."""
    price = price_order([("reduced", D("11.00"), 1), ("standard", D("10.00"), 1)],
                        country="ES", shipping_method="standard", prices_include_tax=True)
    # 11.00 at 10 % holds 1.00; 10.00 at 21 % holds 1.74 and the 4.90 shipping 0.85
    assert [(s.rate, s.amount) for s in price.taxes] == [(D("10"), D("1.00")),
                                                         (D("21"), D("2.59"))]
    assert price.tax == D("3.59")


def test_country_fallbacks():
    """A class a country lacks uses its standard rate; a country with no rates pays none."""
    de = price_order([("reduced", D("11.90"), 1), ("zero", D("5.00"), 1)], country="DE",
                     shipping_method="standard", prices_include_tax=True)
    assert [line.tax_rate for line in de.lines] == [D("19"), D("0")]
    assert de.lines[0].tax_amount == D("1.90")
    us = price_order([("standard", D("22.00"), 1)], country="US",
                     shipping_method="standard", prices_include_tax=False)
    assert us.tax == D("0.00") and us.total == D("47.00") and us.taxes == ()


def test_rounding_is_half_up_per_line():
    """0.50 net at 21 % is 0.105 of VAT: 0.11 on each line, never banker's 0.10."""
    price = price_order([("standard", D("0.50"), 1), ("standard", D("0.50"), 1)],
                        country="ES", shipping_method="standard", prices_include_tax=False)
    assert [line.tax_amount for line in price.lines] == [D("0.11"), D("0.11")]


def test_discount_lowers_the_taxed_amount():
    """A 2.20 discount on the tee: total 24.70, and the VAT is on the discounted price."""
    price = price_order([("standard", D("22.00"), 1)], country="ES",
                        shipping_method="standard", discount=Discount(D("2.20")),
                        prices_include_tax=True)
    assert (price.discount, price.total) == (D("2.20"), D("24.70"))
    assert price.tax == D("3.44") + D("0.85")


def test_free_shipping_discount_and_oversized_discount():
    """Free shipping drops the shipping; a discount never takes the total below zero."""
    free = price_order([("standard", D("22.00"), 1)], country="ES",
                       shipping_method="express", discount=Discount(free_shipping=True),
                       prices_include_tax=True)
    assert (free.shipping, free.total) == (D("0.00"), D("22.00"))
    huge = price_order([("standard", D("22.00"), 1)], country="ES",
                       shipping_method="standard", discount=Discount(D("500")),
                       prices_include_tax=True)
    assert huge.discount == D("22.00") and huge.total == huge.shipping
    assert huge.lines[0].tax_amount == D("0.00")


def test_default_follows_the_shop_setting(app):
    """Without an explicit choice, the STORE_PRICES_INCLUDE_TAX setting decides."""
    app.config["STORE_PRICES_INCLUDE_TAX"] = False
    price = price_order([("standard", D("22.00"), 1)], country="ES", shipping_method="standard")
    assert not price.prices_include_tax and price.total == D("32.55")


_price = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
_line = st.tuples(st.sampled_from(TAX_CLASSES), _price, st.integers(min_value=1, max_value=99))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, min_size=1, max_size=10), included=st.booleans(),
       destination=st.sampled_from([("ES", "standard"), ("ES", "express"), ("DE", "standard"),
                                    ("FI", "standard"), ("US", "standard")]),
       discount=st.one_of(st.none(), st.builds(Discount, _price, st.booleans())))
def test_any_cart_adds_up_to_the_cent(lines, included, destination, discount):
    """For any cart, lines + shipping − discount (+ added VAT) is the total, to the cent,
    and the VAT per rate adds up to the VAT total."""
    country, method = destination  # each country with a method its shipping zone offers
    # when any cart is priced, with or without VAT in the catalog prices
    price = price_order(lines, country=country, shipping_method=method, discount=discount,
                        prices_include_tax=included)
    # then the parts add up to the total, exactly
    lines_total = sum((line.line_total for line in price.lines), D("0"))
    added = D("0") if included else price.tax
    assert lines_total == price.subtotal
    assert lines_total + price.shipping - price.discount + added == price.total
    assert sum((share.amount for share in price.taxes), D("0")) == price.tax
    assert sum((line.discount for line in price.lines), D("0")) == price.discount
    assert 0 <= price.discount <= price.subtotal and price.total >= 0
    for value in (price.total, price.tax, price.shipping, *(ln.tax_amount for ln in price.lines)):
        assert value.as_tuple().exponent == -2
    # and every line's VAT is its exact share, rounded half up
    for line in price.lines:
        taxed = line.line_total - line.discount
        exact = (taxed * line.tax_rate / (100 + line.tax_rate) if included
                 else taxed * line.tax_rate / 100)
        assert line.tax_amount == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert 0 <= line.discount <= line.line_total
