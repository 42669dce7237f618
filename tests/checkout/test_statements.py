"""How much SQL a checkout costs: pinned, so the count cannot creep back."""

import pytest
from sqlalchemy import event, select

from store.extensions import db
from store.models import EmailMessage, Order
from tests.conftest import TEST_DATABASE
from tests.factories import make_product
from tests.shopping import add_to_cart, checkout, checkout_form

# A 2-line guest checkout with manual payment (the confirmation and the staff alert queued).
# Before issue 14: 47 statements in the request, 36 in the order's write transaction
# (BEGIN IMMEDIATE counted), with both emails rendered inside it.
# The order's write transaction also moves the dashboard's rollup row (one upsert) and, at
# commit, bumps the catalog version if a variant sold into its low range (one conditional
# UPDATE: the storefront's cached pages must show the new stock status at once).
MAX_IN_REQUEST = 28
MAX_IN_WRITE_TRANSACTION = 20


@pytest.fixture
def app_config():
    return {"STORE_DELIVER_AFTER_REQUEST": False, "STORE_STAFF_EMAIL": "staff@example.com"}


class Statements:
    """Every statement run, and those of the last write transaction (SQLite's BEGIN
    IMMEDIATE to its commit)."""

    def __init__(self):
        self.all, self.writing, self.last_write = [], False, []

    def before(self, _conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN IMMEDIATE"):
            self.writing, self.last_write = True, []
        self.all.append(statement)
        if self.writing:
            self.last_write.append(statement)

    def ended(self, _conn):
        self.writing = False


@pytest.mark.skipif(TEST_DATABASE == "postgres", reason="counts SQLite's write transaction")
def test_a_two_line_guest_checkout_runs_few_statements(app, client):
    """Placing an order stays a short transaction: a pinned number of SQL statements."""
    mug = make_product(name="Harbour Mug", price="12.50")
    tee = make_product(name="Harbour Tee", price="22.00")
    add_to_cart(client, mug.variants[0].id, 2)
    add_to_cart(client, tee.variants[0].id, 1)
    form = checkout_form(client)
    counter = Statements()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter.before)
    event.listen(engine, "commit", counter.ended)
    event.listen(engine, "rollback", counter.ended)
    try:
        response = checkout(client, form)
    finally:
        event.remove(engine, "before_cursor_execute", counter.before)
        event.remove(engine, "commit", counter.ended)
        event.remove(engine, "rollback", counter.ended)
    assert response.status_code == 303
    # the order, its two lines and both emails are there
    order = db.session.scalar(select(Order))
    assert len(order.lines) == 2
    assert {m.kind for m in db.session.scalars(select(EmailMessage))} == {
        "order_confirmation", "staff_new_order"}
    # and the checkout cost no more statements than pinned
    assert len(counter.last_write) <= MAX_IN_WRITE_TRANSACTION, counter.last_write
    assert len(counter.all) <= MAX_IN_REQUEST, counter.all
