"""Every state-changing route refuses a request without a valid CSRF token and changes nothing."""

import pytest
from sqlalchemy import select

from store.extensions import db
from store.support.services import open_ticket
from tests.factories import make_order, make_product

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Signed by the provider instead (Stripe-Signature), and called by Stripe, not a browser.
EXEMPT = {"/payments/stripe/webhook"}


def database_rows() -> dict:
    """Every row of every table, to compare before and after."""
    db.session.rollback()  # read what requests committed
    rows = {}
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns) if table.primary_key \
            else select(table)
        rows[table.name] = [tuple(row) for row in db.session.execute(query)]
    return rows


def sample_url(rule) -> str:
    """The rule's path with every argument filled by a record that exists (id 1)."""
    values = {name: 1 if type(conv).__name__ in ("IntegerConverter", "NumberConverter")
              else "1" for name, conv in rule._converters.items()}
    path = rule.build(values, append_unknown=False)[1]
    return path + "?id=1" if path.endswith(("/edit/", "/adjust/")) else path


def state_changing_routes(app) -> list[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods & set(WRITE_METHODS):
            routes.add((method, sample_url(rule)))
    return sorted(routes)


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_state_changing_route_needs_a_valid_csrf_token(app, client, auth, token):
    """Signed in as the owner, no form or API call without a valid CSRF token changes a thing."""
    product = make_product()
    customer = auth.user("customer")
    make_order(items=[(product.variants[0], 1)], user=customer)
    open_ticket("Ana", "ana@example.com", "Where is my parcel?")
    auth.login("owner")
    routes = state_changing_routes(app)
    # The JSON API's writes are walked too: signed in by the session cookie they need the
    # CSRF token like any form; only requests with an auth token header are exempt
    # (store.api.auth; tested in tests/api/test_auth.py).
    assert {path for _method, path in routes} >= EXEMPT | {"/checkout", "/cart/items",
                                                           "/admin/product/new/",
                                                           "/api/v1/auth/token",
                                                           "/api/v1/orders/1/refunds"}
    before = database_rows()
    accepted = []
    for method, path in routes:
        if path.split("?")[0] in EXEMPT:
            continue
        data = {"quantity": "1", "variant_id": "1", "id": "1", "locale": "es", "email":
                "owner@example.com", "action": "delete", "rowid": "1", "name": "X"}
        headers = {}
        if token:
            data["csrf_token"] = token
            headers["X-CSRFToken"] = token
        for kwargs in ({"data": data}, {"json": data}):
            response = client.open(path, method=method, headers=headers, **kwargs)
            if response.status_code != 400:
                accepted.append((method, path, response.status_code))
    assert accepted == []
    assert database_rows() == before
    # Still signed in and working: the refusals were about the token, not the session.
    assert client.get("/admin/").status_code == 200
