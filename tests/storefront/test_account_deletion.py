"""A customer deletes their own account: password, emailed link, confirmation, goodbye."""

import re
import time

import pytest
from sqlalchemy import select

from store.accounts import addresses as address_book
from store.accounts import deletion
from store.extensions import db
from store.models import Address, AuditEvent, EmailMessage, Order, User
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_order
from tests.shopping import flashes
from tests.storefront.test_account import HOME, sign_in, signed_in


def link_in(text: str) -> str:
    """The path of the deletion link in an email (always on STORE_URL)."""
    return re.search(r"http://127\.0\.0\.1:5000(/account/delete/[^\s\"<]+)", text).group(1)


def ask(client, password=PASSWORD):
    return client.post("/account/delete", data={"password": password,
                                                "csrf_token": csrf_from(client, "/account")})


def confirm(client, path):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_from(client, path)})


def deletion_mail() -> list[EmailMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(EmailMessage)
                                   .where(EmailMessage.kind == "account_deletion")))


def test_a_customer_deletes_their_account_from_the_emailed_link(shop, auth, smtp):
    """Password, then the link from the delivered email, then the button: the account is
    erased, its orders are kept anonymised, and the person cannot sign in any more."""
    ana = sign_in(shop, auth)
    order = make_order(user=ana, status="paid")
    address_book.add_address(ana, HOME)
    response = ask(shop)
    assert response.status_code == 303
    assert any("We sent you an email" in f
               for f in flashes(shop.get("/account").get_data(as_text=True)))
    [mail] = smtp.wait_for(1)
    assert mail.envelope_rcpt == ["ana@example.com"]
    assert "Confirm the deletion of your account" in mail["Subject"]
    assert "24 hours" in smtp.text(mail)
    path = link_in(smtp.text(mail))
    assert path in smtp.html(mail)
    # Delivered: the stored body no longer holds the link.
    [stored] = deletion_mail()
    assert path not in (stored.body_text or "")

    page = shop.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "your orders stay in our books" in html
    assert signed_in(shop)  # opening the page changes nothing
    done = shop.post(path, data={"csrf_token": csrf_from(shop, path)})
    assert done.status_code == 303 and done.headers["Location"].endswith("/account/deleted")
    goodbye = shop.get("/account/deleted").get_data(as_text=True)
    assert "Your account is deleted" in goodbye
    assert not signed_in(shop)

    db.session.rollback()
    user = db.session.get(User, ana.id)
    assert user.erased_at is not None and not user.active
    assert user.email != "ana@example.com"
    kept = db.session.get(Order, order.id)
    assert kept.full_name != "Ada Lovelace" and kept.email != "ana@example.com"
    assert kept.total == order.total and kept.status == "paid"
    assert db.session.scalar(select(Address).where(Address.user_id == ana.id)) is None
    # The log keeps what happened (asked, erased) but not who she was.
    events = list(db.session.scalars(select(AuditEvent)))
    assert {"deletion-requested", "erase"} <= {e.action for e in events}
    assert not [e for e in events if "ana@example.com" in f"{e.actor} {e.summary} {e.changes}"]
    assert "ana@example.com" not in " ".join(
        f"{m.recipients} {m.body_text} {m.body_html}" for m in db.session.scalars(
            select(EmailMessage)))
    again = shop.post("/login", data={"email": "ana@example.com", "password": PASSWORD,
                                      "csrf_token": csrf_from(shop, "/login")})
    assert again.status_code == 200 and not signed_in(shop)
    # The used link does nothing any more: it asks to sign in, and nobody can.
    assert confirm(shop, path).status_code in (302, 303)


def test_a_wrong_password_sends_no_email(shop, auth):
    """A wrong password is a clear error on the form, and no email is queued."""
    ana = sign_in(shop, auth)
    response = ask(shop, "not my password")
    assert response.status_code == 400
    assert "That password is not correct." in response.get_data(as_text=True)
    assert deletion_mail() == []
    assert ask(shop, "").status_code == 400
    assert deletion_mail() == []
    assert db.session.get(User, ana.id).erased_at is None


@pytest.mark.parametrize("role", ["staff", "owner"])
def test_staff_and_owners_cannot_delete_themselves_here(shop, auth, role):
    """A staff member or owner is told to ask an owner; no email, no erasure, even with a
    link made for them."""
    user = sign_in(shop, auth, f"{role}@example.com", role=role)
    page = shop.get("/account").get_data(as_text=True)
    assert "ask an owner" in page
    response = ask(shop)
    assert response.status_code == 403
    assert "ask an owner" in response.get_data(as_text=True)
    assert deletion_mail() == []
    path = f"/account/delete/{deletion.deletion_token(user)}"
    assert shop.get(path).status_code == 403
    refused = shop.post(path, data={"csrf_token": csrf_from(shop, "/account")})
    assert refused.status_code == 403
    db.session.rollback()
    assert db.session.get(User, user.id).erased_at is None and signed_in(shop)


def _refused(shop, path, message):
    """The link's page and its button both refuse with the message; nothing is erased."""
    page = shop.get(path)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    post = shop.post(path, data={"csrf_token": csrf_from(shop, "/account")})
    assert post.status_code == 400 and message in post.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.erased_at.is_not(None))) is None
    assert signed_in(shop)


def test_forged_and_other_peoples_links_are_refused(shop, auth):
    """A made-up token, a tampered one and one made for another account change nothing."""
    ana = sign_in(shop, auth)
    bea = auth.user("customer", "bea@example.com")
    good = deletion.deletion_token(ana)
    for token in ("forged", good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
                  deletion.deletion_token(bea)):
        _refused(shop, f"/account/delete/{token}", "This link is not valid")


def test_an_expired_link_is_refused(shop, auth, monkeypatch):
    """A link older than 24 hours says it has expired and changes nothing."""
    ana = sign_in(shop, auth)
    past = time.time() - 25 * 3600
    with monkeypatch.context() as clock:  # the link was made 25 hours ago
        clock.setattr(time, "time", lambda: past)
        token = deletion.deletion_token(ana)
    _refused(shop, f"/account/delete/{token}", "This link has expired")


def test_a_link_dies_when_the_password_changes_or_sessions_end(shop, auth):
    """A password change, or signing out everywhere, voids every link sent before."""
    ana = sign_in(shop, auth)
    before_change = deletion.deletion_token(ana)
    new = "violet tractor ninety sundial"
    shop.post("/change", data={"password": PASSWORD, "new_password": new,
                               "new_password_confirm": new,
                               "csrf_token": csrf_from(shop, "/change")})
    _refused(shop, f"/account/delete/{before_change}", "This link is not valid")
    db.session.expire_all()
    before_sign_out = deletion.deletion_token(db.session.get(User, ana.id))
    shop.post("/account/sign-out-everywhere", data={"csrf_token": csrf_from(shop, "/account")})
    sign_in(shop, auth, password=new)
    _refused(shop, f"/account/delete/{before_sign_out}", "This link is not valid")


def test_a_visitor_with_a_link_is_asked_to_sign_in(shop, auth):
    """Opening the link signed out leads to the login page and erases nothing."""
    ana = auth.user("customer", "ana@example.com")
    path = f"/account/delete/{deletion.deletion_token(ana)}"
    response = shop.get(path)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    post = shop.post(path, data={"csrf_token": csrf_from(shop, "/")})
    assert post.status_code in (302, 303)
    db.session.rollback()
    assert db.session.get(User, ana.id).erased_at is None


def test_the_deletion_email_is_in_the_customers_language(shop, auth, smtp):
    """A customer reading in Spanish gets the email in Spanish."""
    sign_in(shop, auth)
    shop.post("/locale", data={"locale": "es", "next": "/",
                               "csrf_token": csrf_from(shop, "/")})
    assert ask(shop).status_code == 303
    [mail] = smtp.wait_for(1)
    assert "Confirma la eliminación de tu cuenta" in mail["Subject"]
    assert "24 horas" in smtp.text(mail)
