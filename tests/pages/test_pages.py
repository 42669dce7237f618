"""Content pages at /pages/<slug>: the seeded four in both languages with the shop's legal
details, unpublished and unknown pages, safe HTML, and the footer that links them."""

import pytest

from store.extensions import db
from store.models import Page
from store.pages import services as pages
from store.settings.services import get_settings, update_settings

SEEDED = ("shipping-returns", "privacy", "terms", "legal")
SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}
LEGAL = {"legal_name": "Tienda Ejemplo S.L.", "address": "Calle Mayor 1\n28001 Madrid",
         "tax_number": "ESB12345678", "contact_email": "hola@tienda.example"}


def page_html(client, slug, headers=None):
    response = client.get(f"/pages/{slug}", headers=headers or {})
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("slug", SEEDED)
@pytest.mark.parametrize(("headers", "title"), [
    ({}, {"shipping-returns": "Shipping and returns", "privacy": "Privacy policy",
          "terms": "Terms and conditions", "legal": "Legal notice"}),
    (SPANISH, {"shipping-returns": "Envíos y devoluciones", "privacy": "Política de privacidad",
               "terms": "Condiciones de venta", "legal": "Aviso legal"}),
])
def test_seeded_pages_show_the_legal_details(client, auth, slug, headers, title):
    """Each seeded page opens in English and Spanish with the legal details from the settings."""
    # given the owner's legal details in the settings
    update_settings(LEGAL, actor=auth.user("owner"))
    # when a visitor opens the page
    status, html = page_html(client, slug, headers)
    # then it shows in their language, with the settings' details and no placeholder left
    assert status == 200
    assert f"<h1>{title[slug]}</h1>" in html
    assert "hola@tienda.example" in html
    assert "{" not in html.split('<article class="content-page">')[1].split("</article>")[0]
    if slug in ("legal", "terms", "privacy"):
        assert "Tienda Ejemplo S.L." in html and "Calle Mayor 1, 28001 Madrid" in html
    if slug in ("legal", "terms"):
        assert "ESB12345678" in html


def test_a_new_legal_name_shows_on_the_page(client, auth):
    """When the owner changes the legal name in the settings, the legal notice shows the new one."""
    # given a legal notice showing the first name
    owner = auth.user("owner")
    update_settings({"legal_name": "Old Name Ltd"}, actor=owner)
    assert "Old Name Ltd" in page_html(client, "legal")[1]
    # when the legal name changes
    update_settings({"legal_name": "New Name S.A."}, actor=owner)
    # then the page shows the new name only
    html = page_html(client, "legal")[1]
    assert "New Name S.A." in html and "Old Name Ltd" not in html


def test_an_unpublished_page_is_not_found(client):
    """A page the owner has not published answers 404, in any language."""
    # given the terms taken offline
    terms = db.session.scalar(db.select(Page).where(Page.slug == "terms"))
    terms.published = False
    db.session.commit()
    # when a visitor opens it, then it is not there
    assert page_html(client, "terms")[0] == 404
    assert page_html(client, "terms", SPANISH)[0] == 404


@pytest.mark.parametrize("slug", ["no-such-page", "TERMS", "terms.html"])
def test_an_unknown_page_is_not_found(client, slug):
    """An address that names no page answers 404."""
    assert page_html(client, slug)[0] == 404


def test_a_page_body_is_sanitized(client):
    """Markdown becomes HTML, while a script or an event handler typed in a body is removed."""
    # given a page whose body holds Markdown and unsafe HTML
    db.session.add(Page(slug="about", title_en="About us", published=True,
                        body_en="**Hello** from {shop_name}\n\n<script>alert(1)</script>"
                                '<img src=x onerror="alert(2)"> [x](javascript:alert(3))'))
    db.session.commit()
    # when a visitor opens it
    status, html = page_html(client, "about")
    # then the Markdown is shown and nothing runs
    assert status == 200
    assert "<strong>Hello</strong> from" in html
    assert "alert(" not in html and "onerror" not in html and "javascript:" not in html


def test_spanish_falls_back_to_english_when_untranslated(client):
    """A page without a Spanish text shows the English one to a Spanish reader."""
    db.session.add(Page(slug="about", title_en="About us", body_en="We sell books.",
                        published=True))
    db.session.commit()
    status, html = page_html(client, "about", SPANISH)
    assert status == 200 and "<h1>About us</h1>" in html and "We sell books." in html


def test_the_footer_links_the_pages_payment_and_contact(client, auth):
    """Every storefront page's footer links the four pages, names how to pay and the email."""
    # given the shop's contact email
    update_settings({"contact_email": "hola@tienda.example"}, actor=auth.user("owner"))
    # when a visitor opens the home page, in English and in Spanish
    english = client.get("/").get_data(as_text=True)
    spanish = client.get("/", headers=SPANISH).get_data(as_text=True)
    # then the footer links each page, names the payment method and the contact email
    footer = english.split('<footer class="site-footer">')[1]
    for slug in SEEDED:
        assert f'href="/pages/{slug}"' in footer
    assert "Legal notice" in footer and "Privacy policy" in footer
    assert "Bank transfer or pay on delivery" in footer
    assert 'href="mailto:hola@tienda.example"' in footer
    assert "Aviso legal" in spanish.split('<footer class="site-footer">')[1]
    # and every link opens
    for slug in SEEDED:
        assert client.get(f"/pages/{slug}").status_code == 200


def test_other_braces_stay_as_typed(app):
    """Only known placeholders are filled; other braces in a body are left alone."""
    name = get_settings().shop_name
    assert pages.fill("{unknown} {shop_name} {{x}}") == f"{{unknown}} {name} {{{{x}}}}"
