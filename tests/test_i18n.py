"""Language switching and locale-aware formatting in the storefront."""

from tests.conftest import csrf_from
from tests.factories import make_product


def test_switch_to_spanish_and_back(client):
    """A visitor switches the storefront to Spanish and back to English."""
    product = make_product(name="Linen Shirt", price="1234.50")
    english = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "In stock" in english and "€1,234.50" in english

    response = client.post("/locale", data={"locale": "es", "next": f"/products/{product.slug}",
                                            "csrf_token": csrf_from(client, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/products/{product.slug}"
    spanish = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert '<html lang="es">' in spanish
    assert "En stock" in spanish
    assert "1234,50\xa0€" in spanish or "1.234,50\xa0€" in spanish
    assert "Iniciar sesión" in spanish or "Entrar" in spanish

    client.post("/locale", data={"locale": "en", "csrf_token": csrf_from(client, "/")})
    assert "In stock" in client.get(f"/products/{product.slug}").get_data(as_text=True)


def test_browser_language_is_used_first_time(client):
    """A browser asking for Spanish gets Spanish without choosing."""
    make_product()
    html = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es">' in html


def test_unknown_locale_is_ignored(client):
    """An unsupported language choice leaves the shop in English."""
    client.post("/locale", data={"locale": "xx", "csrf_token": csrf_from(client, "/")})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_locale_switch_needs_csrf(client):
    """Switching language without the CSRF token is refused."""
    assert client.post("/locale", data={"locale": "es"}).status_code == 400


def test_open_redirect_is_refused(client):
    """The `next` target of the language switch cannot point to another site."""
    response = client.post("/locale", data={"locale": "es", "next": "//evil.example/x",
                                            "csrf_token": csrf_from(client, "/")})
    assert response.status_code == 400 and "Location" not in response.headers


def test_every_storefront_string_is_translated(tmp_path):
    """Every message in the code and templates has a Spanish translation."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    from store.config import ROOT

    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-o", str(pot), "store", "templates"], cwd=ROOT, check=True)
    with open(pot, "rb") as f:
        used = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(used - translated)
    assert len(used) > 50
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:8]}"


def test_prices_read_as_babel_writes_them_in_each_language(app):
    """Cached price formatting writes exactly what Babel writes, in English and Spanish."""
    from decimal import Decimal

    from babel.numbers import format_currency
    from flask_babel import force_locale

    from store.i18n import money

    amounts = ["0", "0.5", "9.99", "1234.50", "1000000", "-12.30", "3.005"]
    with app.test_request_context():
        for locale in ("en", "es"):
            with force_locale(locale):
                for amount in amounts * 2:  # the second round comes from the cache
                    assert money(Decimal(amount)) == format_currency(
                        Decimal(amount), "EUR", locale=locale), (locale, amount)
                assert money(None) == "" and money(9.5) == money(Decimal("9.50"))


def test_templates_translate_in_a_forced_language(app):
    """A page part rendered in a forced language (as emails are) is in that language."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context():
        assert render_template_string("{{ _('In stock') }}") == "In stock"
        with force_locale("es"):
            assert render_template_string("{{ _('In stock') }}") == "En stock"
        assert render_template_string("{{ _('In stock') }}") == "In stock"
