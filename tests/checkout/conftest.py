"""Fixtures shared by the checkout tests."""

import pytest

from store.pricing.taxes import seed_tax_rates
from tests.factories import make_product


@pytest.fixture
def tee(app):
    """The demo's €22.00 Harbour Lights Tee, with the VAT rates seeded."""
    seed_tax_rates()
    return make_product(name="Harbour Lights Tee", price="22.00")
