"""Back office content pages: owners edit them (unsafe HTML never reaches the preview or the
shop), bad slugs are refused, staff read them but cannot change them."""

import pytest

from store.extensions import db
from store.models import AuditEvent, Page
from tests.conftest import csrf_from


def page(slug: str) -> Page:
    db.session.expire_all()
    return db.session.scalar(db.select(Page).where(Page.slug == slug))


def edit_form(client, model: Page, **fields) -> dict:
    form = {"csrf_token": csrf_from(client, f"/admin/page/edit/?id={model.id}"),
            "slug": model.slug, "published": "y", "title_en": model.title_en,
            "body_en": model.body_en, "title_es": model.title_es, "body_es": model.body_es}
    form.update(fields)
    return form


def test_owner_edits_a_page_and_the_script_is_removed(client, auth):
    """The owner rewrites the privacy policy; a script typed in it never reaches anyone."""
    # given the owner and the seeded privacy page
    auth.login("owner")
    privacy = page("privacy")
    # when they save a new body holding a script
    body = "### Cookies\nWe use **no** tracking cookies.\n\n<script>alert('x')</script>"
    response = client.post(f"/admin/page/edit/?id={privacy.id}",
                           data=edit_form(client, privacy, body_en=body))
    # then it is saved and audited, and the preview and the shop show it without the script
    assert response.status_code == 302
    assert page("privacy").body_en == body
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update"))
    details = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h3>Cookies</h3>" in details and "<strong>no</strong> tracking" in details
    assert "alert('x')" not in details.split("Preview (English)")[1]
    shop = client.get("/pages/privacy").get_data(as_text=True)
    assert "<strong>no</strong> tracking cookies" in shop and "alert('x')" not in shop


def test_owner_unpublishes_a_page(client, auth):
    """A page the owner unpublishes disappears from the shop."""
    auth.login("owner")
    terms = page("terms")
    form = edit_form(client, terms)
    del form["published"]
    assert client.post(f"/admin/page/edit/?id={terms.id}", data=form).status_code == 302
    assert page("terms").published is False
    assert client.get("/pages/terms").status_code == 404


@pytest.mark.parametrize(("slug", "message"), [
    ("About Us!", "A slug is lower-case letters, digits and hyphens"),
    ("legal", "Already exists."),
    (" Legal ", "There is already a page legal."),
])
def test_bad_slugs_are_refused(client, auth, slug, message):
    """A slug with spaces or capitals, or one already taken, is refused and nothing is saved."""
    auth.login("owner")
    token = csrf_from(client, "/admin/page/new/")
    response = client.post("/admin/page/new/", data={
        "csrf_token": token, "slug": slug, "title_en": "About", "body_en": "Hi"})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 4


def test_owner_adds_a_page(client, auth):
    """The owner adds an About page; it opens at /pages/about once published."""
    auth.login("owner")
    token = csrf_from(client, "/admin/page/new/")
    response = client.post("/admin/page/new/", data={
        "csrf_token": token, "slug": " About-Us ", "title_en": "About us", "published": "y",
        "body_en": "Books since 1990.", "title_es": "Quiénes somos", "body_es": ""})
    assert response.status_code == 302
    assert client.get("/pages/about-us").status_code == 200
    spanish = client.get("/pages/about-us", headers={"Accept-Language": "es"})
    assert "Quiénes somos" in spanish.get_data(as_text=True)


def test_staff_read_pages_but_cannot_change_them(client, auth):
    """Staff see the pages and their preview; editing or adding one is refused with 403."""
    # given staff signed in
    auth.login("staff")
    legal = page("legal")
    # when they open the list and the details, then they see them
    assert "shipping-returns" in client.get("/admin/page/").get_data(as_text=True)
    assert client.get(f"/admin/page/details/?id={legal.id}").status_code == 200
    # and when they try to edit or add, they are refused and nothing changes
    assert client.get(f"/admin/page/edit/?id={legal.id}").status_code == 403
    assert client.get("/admin/page/new/").status_code == 403
    token = csrf_from(client, "/admin/page/")
    response = client.post(f"/admin/page/edit/?id={legal.id}", data={
        "csrf_token": token, "slug": "legal", "title_en": "Hacked", "body_en": "x"})
    assert response.status_code == 403
    assert page("legal").title_en == "Legal notice"
