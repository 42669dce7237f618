"""Tax rates: the seed, the fall-backs, and the back office that edits them."""

from decimal import Decimal

from store.extensions import db
from store.models import AuditEvent, Product, TaxRate
from store.pricing import taxes
from tests.conftest import csrf_from
from tests.factories import make_product

D = Decimal


def test_seed_gives_spain_and_the_eu(app):
    """The first run stores Spain's four rates and the standard rate of 26 other EU countries."""
    assert taxes.seed_tax_rates() == 30
    assert taxes.seed_tax_rates() == 0  # a shop that has rates keeps its own
    assert taxes.country_rates("ES") == {"standard": D("21"), "reduced": D("10"),
                                         "super-reduced": D("4"), "zero": D("0")}
    countries = set(db.session.scalars(db.select(TaxRate.country)))
    assert len(countries) == 27 and taxes.rate_for("FI", "standard") == D("25.5")


def test_fallbacks(app):
    """A class a country lacks uses its standard rate; an unknown country is not taxed."""
    taxes.seed_tax_rates()
    assert taxes.rate_for("DE", "reduced") == D("19")
    assert taxes.rate_for("DE", "zero") == D("0")
    assert taxes.rate_for("US", "standard") == D("0")
    assert taxes.rate_for(None, "standard") == D("0")


def test_seed_command_stores_the_rates(app, runner):
    """`flask seed` on a new shop stores the tax rates too."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert taxes.rate_for("ES", "super-reduced") == D("4")


def _rate_form(client, **fields):
    data = {"csrf_token": csrf_from(client, "/admin/tax_rate/new/"), "country": "PT",
            "tax_class": "reduced", "rate": "6"}
    data.update(fields)
    return client.post("/admin/tax_rate/new/", data=data, follow_redirects=True)


def test_owner_adds_a_rate(client, auth):
    """An owner adds Portugal's reduced rate; it is used at once and audited."""
    auth.login("owner")
    response = _rate_form(client, country="pt")
    assert response.status_code == 200
    assert taxes.rate_for("PT", "reduced") == D("6")
    assert db.session.scalar(db.select(AuditEvent.id).where(
        AuditEvent.object_type == "tax_rate")) is not None


def test_negative_or_over_100_rates_are_refused(client, auth):
    """A rate below 0 or above 100 is refused with a message, and nothing is stored."""
    auth.login("owner")
    for bad in ("-1", "100.01"):
        html = _rate_form(client, rate=bad).get_data(as_text=True)
        assert "A tax rate is a percentage from 0 to 100." in html
    html = _rate_form(client, country="E1").get_data(as_text=True)
    assert "two-letter code" in html
    assert db.session.scalar(db.select(db.func.count(TaxRate.id))) == 0


def test_staff_without_settings_permission_cannot_edit_rates(client, auth):
    """Staff run the shop but not its tax rates."""
    auth.login("staff")
    assert client.get("/admin/tax_rate/").status_code == 403


def test_product_form_sets_the_tax_class(client, auth):
    """Staff mark a book as reduced-rate in the product form."""
    product = make_product(name="Sea Poems")
    auth.login("staff")
    page = client.get(f"/admin/product/edit/?id={product.id}").get_data(as_text=True)
    assert 'name="tax_class"' in page and "Super-reduced" in page
    product = db.session.get(Product, product.id)
    product.tax_class = "reduced"
    db.session.commit()
    assert db.session.get(Product, product.id).tax_class == "reduced"
