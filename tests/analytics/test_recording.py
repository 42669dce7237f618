"""Recording: what the storefront's answers become as events, and what is never recorded."""

import pytest

from store.accounts.customers import erase_customer
from store.analytics import buffer
from store.extensions import db
from store.models import Order
from store.models.analytics import AnalyticsEvent
from tests.factories import make_product
from tests.shopping import add_to_cart, checkout


def test_a_referred_visit_through_to_a_purchase(client, recorded):
    """A visitor from a newsletter link views, adds, checks out and buys: five events, one
    session, the landing page, the referrer and the campaign on each, and no IP address."""
    product = make_product(price="25.00")
    variant_id = product.variants[0].id
    landing = "/?utm_source=newsletter&utm_medium=email&utm_campaign=spring"

    client.get(landing, headers={"Referer": "https://mail.example.net/inbox"})
    client.get(f"/products/{product.slug}")
    add_to_cart(client, variant_id)
    placed = checkout(client)

    assert placed.status_code == 303
    order = db.session.scalars(db.select(Order)).one()
    events = recorded()
    assert [e.kind for e in events] == ["visit", "view", "cart_add", "checkout", "purchase"]
    assert len({e.session_key for e in events}) == 1
    assert {e.landing_path for e in events} == {landing}
    assert {e.referrer_host for e in events} == {"mail.example.net"}
    assert {(e.utm_source, e.utm_medium, e.utm_campaign) for e in events} == {
        ("newsletter", "email", "spring")}
    assert events[1].product_id == product.id
    assert (events[2].product_id, events[2].variant_id) == (product.id, variant_id)
    assert events[4].order_id == order.id
    assert all(e.user_id is None and e.visitor_hash and "127.0.0.1" not in e.visitor_hash
               for e in events)


def test_a_visit_without_referrer_is_direct_and_knows_the_signed_in_customer(
        client, auth, recorded):
    """A signed-in customer who typed the address is a direct visit with their user id."""
    product = make_product()
    user = auth.login("customer")

    client.get(f"/products/{product.slug}", headers={"Referer": "http://localhost/"})

    views = [e for e in recorded() if e.kind == "view"]
    assert [(e.referrer_host, e.user_id) for e in views] == [("direct", user.id)]


def test_an_erased_customer_is_no_longer_named_by_their_visits(client, auth, recorded):
    """After a customer's data is erased, their product views still count but name nobody."""
    product = make_product()
    user = auth.login("customer")
    client.get(f"/products/{product.slug}")
    assert [e.user_id for e in recorded() if e.kind == "view"] == [user.id]

    erase_customer(user.id)

    views = db.session.scalars(db.select(AnalyticsEvent).filter_by(kind="view")).all()
    assert [(e.product_id, e.user_id) for e in views] == [(product.id, None)]


def test_failures_and_other_pages_are_no_funnel_events(client, recorded):
    """A missing product, a refused cart add and an empty checkout record no funnel event."""
    product = make_product(stock=0)

    assert client.get("/products/no-such-thing").status_code == 404
    add_to_cart(client, product.variants[0].id)
    client.get("/checkout")
    client.get("/products/")

    assert [e.kind for e in recorded()] == ["visit"]


@pytest.mark.parametrize("environ", [
    {"HTTP_SEC_GPC": "1"},
    {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
    {"HTTP_USER_AGENT": ""},
])
def test_privacy_signals_and_bots_record_nothing(client, recorded, environ):
    """A browser sending Global Privacy Control, a crawler or a nameless client: nothing."""
    product = make_product()
    client.environ_base.update(environ)

    client.get(f"/products/{product.slug}")
    add_to_cart(client, product.variants[0].id)
    checkout(client)

    assert recorded() == []


def test_the_owner_switch_stops_recording_in_every_worker(app, client, recorded):
    """With recording off, a worker that still thinks it is on writes nothing either."""
    from store.analytics import consent

    product = make_product()
    consent.set_recording(None, False)  # as if another worker saved it: this one's copy is stale

    client.get(f"/products/{product.slug}")

    assert recorded() == []
    client.get(f"/products/{product.slug}")
    assert recorded() == []


def test_the_configuration_can_turn_analytics_off(app, client, recorded):
    """STORE_ANALYTICS_ENABLED off: nothing is even buffered."""
    app.extensions["analytics"].enabled = False
    client.get(f"/products/{make_product().slug}")

    assert app.extensions["analytics"].events == []
    assert recorded() == []


def test_a_failing_write_is_dropped_and_the_page_still_answers(app, client, recorded,
                                                              monkeypatch):
    """The database refuses the batch: the page was served, the batch is dropped, logged."""
    product = make_product()

    def broken(_batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(buffer, "write_events", broken)
    assert client.get(f"/products/{product.slug}").status_code == 200
    assert app.extensions["analytics"].flush() == 0
    monkeypatch.undo()

    assert app.extensions["analytics"].events == []
    assert recorded() == []


def test_a_failing_recorder_never_fails_the_page(client, recorded, monkeypatch):
    """Even a bug in recording leaves the customer's page as it was."""
    from store.analytics import visits

    def broken(_request, _session):
        raise RuntimeError("bug")

    monkeypatch.setattr(visits, "current_visit", broken)
    response = client.get(f"/products/{make_product().slug}")

    assert response.status_code == 200
    assert recorded() == []


def test_a_full_batch_wakes_the_writer_outside_tests(app):
    """Outside tests the buffer hands a full batch to its writer thread, which writes it."""
    recorder = app.extensions["analytics"]
    recorder.batch_size = 2
    app.testing = False
    try:
        make_product()
        written = []
        recorder.flush = lambda: written.append(len(recorder.take())) or 0
        recorder.add({"kind": "visit"})
        recorder.add({"kind": "view"})
        recorder.thread.join(0.5)
    finally:
        app.testing = True
    assert written and written[0] == 2


def test_the_landing_page_keeps_no_token_and_no_other_query(app, client, recorded):
    """A visit that begins on an emailed order link keeps the link's pattern, not its token;
    of the query only the campaign stays."""
    buyer = app.test_client()
    add_to_cart(buyer, make_product().variants[0].id)
    link = checkout(buyer).headers["Location"]
    assert "token=" in link
    recorded()
    db.session.execute(db.delete(AnalyticsEvent))
    db.session.commit()

    assert client.get(link + "&utm_source=mail").status_code == 200
    client.get("/products/?q=private+search", headers={"Referer": "https://elsewhere.example/"})

    landings = [e.landing_path for e in recorded() if e.kind == "visit"]
    assert landings == ["/orders/<number>?utm_source=mail", "/products/"]


def test_an_event_naming_a_vanished_order_does_not_lose_the_batch(app, client, recorded):
    """A purchase whose order never committed is left out; the rest of the batch is written."""
    product = make_product()
    client.get(f"/products/{product.slug}")
    recorder = app.extensions["analytics"]
    recorder.add({**recorder.events[-1], "kind": "purchase", "order_id": 999_999})

    assert [e.kind for e in recorded()] == ["visit", "view"]
