"""The contact form and support tickets: stored, linked to one's own order only,
acknowledged by email, answered from the back office, rate-limited, CSRF-protected."""

import re

import pytest
from sqlalchemy import func, select

from store.extensions import db
from store.models import EmailMessage, SupportReply, SupportTicket
from store.support import services as support
from tests.conftest import csrf_from
from tests.factories import make_order
from tests.shopping import flashes


def send(client, **fields):
    """Fill in and post the contact form."""
    data = {"name": "Quinn Reader", "email": "quinn@example.com",
            "message": "Where is my parcel?", "order_number": "",
            "csrf_token": csrf_from(client, "/support")}
    data.update(fields)
    return client.post("/support", data=data)


def tickets() -> list[SupportTicket]:
    db.session.expire_all()
    return list(db.session.scalars(select(SupportTicket).order_by(SupportTicket.id)))


def test_message_is_stored_acknowledged_and_staff_are_told(app, shop, smtp, auth):
    """A visitor's message becomes a ticket; they get a receipt and support staff an alert."""
    auth.user("staff")
    response = send(shop)
    assert response.status_code in (302, 303)
    page = shop.get(response.headers["Location"]).get_data(as_text=True)
    assert any("We received your message" in f for f in flashes(page))
    [ticket] = tickets()
    assert (ticket.name, ticket.email, ticket.status) == ("Quinn Reader", "quinn@example.com",
                                                          "open")
    assert ticket.message == "Where is my parcel?" and ticket.order_id is None

    mails = smtp.wait_for(2)
    [receipt] = smtp.to("quinn@example.com")
    assert receipt["Subject"] == f"SimpleStore: We received your message (ticket #{ticket.id})"
    assert "Quinn Reader" in smtp.text(receipt) and smtp.html(receipt)
    [alert] = [m for m in mails if m is not receipt]
    assert set(alert.envelope_rcpt) == {"staff@example.com"}
    assert "Where is my parcel?" in smtp.text(alert)
    assert f"/admin/supportticket/details/?id={ticket.id}" in smtp.text(alert)


def test_signed_in_customer_picks_one_of_their_orders(app, shop, smtp):
    """A signed-in customer chooses among their own orders and the ticket is linked."""
    from tests.conftest import Auth

    auth = Auth(app, shop)
    user = auth.login("customer")
    own = make_order(user=user)
    html = shop.get("/support").get_data(as_text=True)
    assert f'<option value="{own.number}">' in html
    assert 'value="customer@example.com"' in html  # the form knows who they are
    response = send(shop, email="customer@example.com", order_number=own.number)
    assert response.status_code in (302, 303)
    [ticket] = tickets()
    assert ticket.order_id == own.id and ticket.user_id == user.id
    [receipt] = smtp.wait_for(1)
    assert own.number in smtp.text(receipt)
    assert "Where is my parcel?" in smtp.text(receipt)  # their own, verified address


def test_signed_in_customer_cannot_pick_someone_elses_order(app, shop, auth):
    """Posting another customer's order number from the account form is refused."""
    from tests.conftest import Auth

    other = make_order(email="someone@example.com")
    Auth(app, shop).login("customer")
    response = send(shop, email="customer@example.com", order_number=other.number)
    assert response.status_code == 200
    assert tickets() == []


def test_guest_order_is_linked_when_the_email_matches(app, shop):
    """A guest who gives their order number and the order's email gets the ticket linked."""
    order = make_order(email="rita@example.com")
    send(shop, email="Rita@Example.com", order_number=order.number.lower())
    [ticket] = tickets()
    assert ticket.order_id == order.id


def test_someone_elses_order_number_is_not_linked_and_not_revealed(app, shop, smtp):
    """A number that is not yours is ignored, and nothing in the answer or mail shows it."""
    theirs = make_order(email="victim@example.com")
    answer = send(shop, order_number=theirs.number)
    baseline = send(shop, order_number="")
    assert answer.status_code == baseline.status_code
    page = shop.get(answer.headers["Location"]).get_data(as_text=True)
    assert theirs.number not in page and "victim" not in page
    first, second = tickets()
    assert first.order_id is None and second.order_id is None
    smtp.wait_for(2)
    for receipt in smtp.to("quinn@example.com"):
        assert theirs.number not in smtp.text(receipt) + smtp.html(receipt)


def test_guest_receipt_does_not_repeat_the_message(app, shop, smtp):
    """The form takes any address, so a visitor's receipt does not quote their text."""
    send(shop, message="Buy cheap watches at spam.example")
    [receipt] = smtp.wait_for(1)
    assert "spam.example" not in smtp.text(receipt) + smtp.html(receipt)


@pytest.mark.parametrize("fields, field, error", [
    ({"name": ""}, "name", "Please tell us your name."),
    ({"email": "not-an-address"}, "email", "Please enter a valid email address."),
    ({"message": ""}, "message", "Please write your message."),
    ({"message": "x" * 5001}, "message", "under 5000 characters"),
])
def test_mistakes_are_explained_next_to_the_field(app, shop, fields, field, error):
    """A missing or wrong field is named next to it and nothing is stored."""
    response = send(shop, **fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(error)}', html)
    assert 'aria-invalid="true"' in html
    assert tickets() == []


def test_missing_csrf_token_is_refused_and_stores_nothing(app, shop):
    """A post without the CSRF token is rejected with 400 and no ticket is stored."""
    response = shop.post("/support", data={
        "name": "Mallory", "email": "m@example.com", "message": "hi"})
    assert response.status_code == 400
    assert tickets() == []
    assert db.session.scalar(select(func.count(EmailMessage.id))) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_contact_form_is_rate_limited(app, shop):
    """A sixth message within the hour is refused; mistakes do not count."""
    send(shop, name="")  # a mistake: not counted
    for n in range(5):
        assert send(shop, message=f"Question {n}").status_code in (302, 303)
    refused = send(shop, message="One more")
    assert refused.status_code == 429
    assert len(tickets()) == 5


# -- back office ---------------------------------------------------------------------------------

def _ticket(**fields) -> SupportTicket:
    data = {"name": "Sol", "email": "sol@example.com", "message": "My mug arrived broken."}
    data.update(fields)
    return support.open_ticket(data["name"], data["email"], data["message"])


def test_staff_reply_is_emailed_and_kept_on_the_ticket(app, client, auth, smtp):
    """Staff answer from the ticket page; the customer gets it and the ticket is answered."""
    ticket = _ticket()
    auth.login("staff")
    detail = f"/admin/supportticket/details/?id={ticket.id}"
    assert "My mug arrived broken." in client.get(detail).get_data(as_text=True)
    response = client.post(f"/admin/supportticket/{ticket.id}/reply", data={
        "body": "Sorry! A new mug is on its way.", "csrf_token": csrf_from(client, detail)},
        follow_redirects=True)
    assert "Reply sent" in response.get_data(as_text=True)
    [reply] = db.session.scalars(select(SupportReply))
    assert reply.body == "Sorry! A new mug is on its way."
    assert tickets()[0].status == "answered"
    page = client.get(detail).get_data(as_text=True)
    assert "A new mug is on its way." in page

    [mail] = smtp.wait_for(1)  # sent right after the reply request
    assert mail.envelope_rcpt == ["sol@example.com"]
    assert mail["Subject"] == f"SimpleStore: Re: your message (ticket #{ticket.id})"
    assert "A new mug is on its way." in smtp.text(mail)
    assert "My mug arrived broken." in smtp.text(mail)  # the customer's own words, quoted


def test_staff_close_and_reopen_tickets(app, client, auth):
    """Staff close a ticket from its page and reopen it from the list."""
    ticket = _ticket()
    auth.login("staff")
    detail = f"/admin/supportticket/details/?id={ticket.id}"
    client.post(f"/admin/supportticket/{ticket.id}/status", data={
        "status": "closed", "csrf_token": csrf_from(client, detail)})
    assert tickets()[0].status == "closed"
    client.post("/admin/supportticket/action/", data={
        "action": "reopen", "rowid": [str(ticket.id)],
        "csrf_token": csrf_from(client, "/admin/supportticket/")})
    assert tickets()[0].status == "open"


def test_ticket_list_filters_by_status(app, client, auth):
    """The list shows tickets and can be narrowed to one status."""
    open_ticket = _ticket(email="open@example.com")
    closed = _ticket(email="closed@example.com")
    support.set_status(closed.id, "closed")
    auth.login("staff")
    everything = client.get("/admin/supportticket/").get_data(as_text=True)
    assert "open@example.com" in everything and "closed@example.com" in everything
    only_open = client.get("/admin/supportticket/?flt0_status_equals=open")
    html = only_open.get_data(as_text=True)
    assert "open@example.com" in html and "closed@example.com" not in html
    assert open_ticket.id


def test_customers_cannot_open_support_tickets_in_the_back_office(app, client, auth):
    """The ticket list needs the support-manage permission."""
    _ticket()
    auth.login("customer")
    assert client.get("/admin/supportticket/").status_code == 403
