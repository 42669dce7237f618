"""Under write load on SQLite, sign-ups wait their turn instead of failing "database is locked"."""

import threading

import pytest
from sqlalchemy import event, func, select

from store.extensions import db
from store.models import Order, User
from store.notifications.delivery import flush_outbox
from tests.conftest import PASSWORD
from tests.factories import make_product
from tests.shopping import ADDRESS, IsolatedClient, add_to_cart, checkout_form, hidden

# About SQLite itself (its file, pragmas or lock): not run with TEST_DATABASE=postgres.
pytestmark = pytest.mark.sqlite_only


SIGNUPS = 50
SHOPPERS = 10


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False}


def _register_form(client) -> dict:
    html = client.get("/register").get_data(as_text=True)
    return {"csrf_token": hidden(html, "csrf_token")}


def _sign_up(start, results, client, form):
    start.wait(timeout=60)
    try:
        results["signup"].append(client.post("/register", data=form).status_code)
    except Exception as exc:  # reported as a failure, never hidden
        results["signup"].append(repr(exc))


def _shop(start, results, client, index, variant_id):
    start.wait(timeout=60)
    for round_ in range(3):
        try:
            add_to_cart(client, variant_id, 1)
            form = {**checkout_form(client), **ADDRESS,
                    "email": f"shopper{index}-{round_}@example.com"}
            results["checkout"].append(client.post("/checkout", data=form).status_code)
        except Exception as exc:
            results["checkout"].append(repr(exc))


def _deliver(app, start, done, results):
    """The outbox worker: deliver queued mail in a loop until told to stop."""
    with app.app_context():
        start.wait(timeout=60)
        while not done.is_set():
            try:
                flush_outbox()
            except Exception as exc:
                results["outbox"].append(repr(exc))
            finally:
                db.session.remove()


@pytest.mark.slow
def test_fifty_signups_during_checkouts_and_mail_delivery(app, smtp):
    """50 people sign up while others check out and the mail goes out: no error page, and
    every one of them has an account."""
    app.test_client_class = IsolatedClient
    variant_id = make_product(stock=1000).variants[0].id
    signups = []
    for index in range(SIGNUPS):
        client = app.test_client()
        email = f"newcomer{index}@example.com"
        signups.append((client, email, {**_register_form(client), "email": email,
                                        "password": PASSWORD, "password_confirm": PASSWORD}))
    shoppers = []
    for index in range(SHOPPERS):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.4.0.{index + 1}"
        shoppers.append(client)

    start = threading.Barrier(SIGNUPS + SHOPPERS + 1)
    done = threading.Event()
    results: dict[str, list] = {"signup": [], "checkout": [], "outbox": []}
    threads = [threading.Thread(target=_sign_up, args=(start, results, client, form))
               for client, _email, form in signups]
    threads += [threading.Thread(target=_shop, args=(start, results, client, index, variant_id))
                for index, client in enumerate(shoppers)]
    worker = threading.Thread(target=_deliver, args=(app, start, done, results))
    for thread in [*threads, worker]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    worker.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request hung"

    assert sorted(set(map(str, results["signup"]))) == ["302"], results["signup"]
    assert set(results["checkout"]) == {303}, results["checkout"]
    assert results["outbox"] == []
    db.session.expire_all()
    emails = {email for _client, email, _form in signups}
    made = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    assert made == emails
    assert db.session.scalar(select(func.count(Order.id))) == SHOPPERS * 3


def _begins(app, do) -> list[str]:
    """The BEGIN statements SQLite saw while `do()` ran."""
    seen = []

    def before(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        do()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return seen


def test_writing_requests_take_the_write_lock_up_front(app, auth):
    """Sign-in (login tracking), the language switch and back-office saves queue for the
    write lock instead of failing later; pages that only read do not take it."""
    client = auth.client
    auth.user("owner")
    token = auth.csrf_token("/login")
    login = _begins(app, lambda: client.post("/login", data={
        "email": "owner@example.com", "password": PASSWORD, "csrf_token": token}))
    assert login and set(login) == {"BEGIN IMMEDIATE"}
    token = auth.csrf_token("/")
    switch = _begins(app, lambda: client.post("/locale", data={"locale": "es",
                                                               "csrf_token": token}))
    assert switch and set(switch) == {"BEGIN IMMEDIATE"}
    reads = _begins(app, lambda: client.get("/"))
    assert reads and set(reads) == {"BEGIN"}
