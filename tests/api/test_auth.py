"""Tokens, CSRF, errors, limits and CORS of the JSON API, as a client program meets them."""

import pytest
from passlib.totp import TOTP
from sqlalchemy import select

from store.extensions import db
from store.models import StockMovement, Variant
from tests.accounts.test_two_factor import totp_code
from tests.api.conftest import headers
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_product

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body


def test_email_and_password_give_a_token_that_signs_in(app, auth, bare):
    """A customer exchanges email and password for a token, then reads their orders with it."""
    auth.user("customer")
    response = bare.post("/api/v1/auth/token",
                         json={"email": "Customer@Example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["header"] == "Authentication-Token" and body["expires_in"] == 7 * 24 * 3600
    assert bare.get("/api/v1/orders", headers=headers(body["token"])).status_code == 200


@pytest.mark.parametrize("body", [{"email": "customer@example.com", "password": "wrong one"},
                                  {"email": "nobody@example.com", "password": PASSWORD}])
def test_a_wrong_password_or_unknown_address_gets_no_token(app, auth, bare, body):
    """Wrong password and unknown account answer the same 401 problem."""
    auth.user("customer")
    problem = assert_problem(bare.post("/api/v1/auth/token", json=body), 401)
    assert problem["detail"] == "The email or password is wrong."


def test_a_deactivated_account_gets_no_token_and_its_token_stops_working(app, auth, token_for,
                                                                         bare):
    """Switching an account off ends its API access at once."""
    token = token_for("customer")
    user = auth.user("customer")
    user.active = False
    db.session.commit()
    assert_problem(bare.get("/api/v1/orders", headers=headers(token)), 401)
    assert_problem(bare.post("/api/v1/auth/token",
                             json={"email": user.email, "password": PASSWORD}), 401)


@pytest.mark.parametrize("app_config", [{"STORE_REQUIRE_2FA_FOR_STAFF": True}])
def test_two_factor_accounts_need_their_code_and_staff_need_two_factor(app, auth, bare):
    """An account with an authenticator gets a token only with its current code; where the
    shop requires two-factor for staff, a staff token without it cannot act."""
    staff = auth.user("staff")
    variant = make_product(stock=4).variants[0]
    url = f"/api/v1/variants/{variant.id}/stock-adjustments"
    plain = bare.post("/api/v1/auth/token", json={"email": staff.email, "password": PASSWORD})
    problem = assert_problem(bare.post(url, json={"delta": 1, "reason": "restock"},
                                       headers=headers(plain.get_json()["token"])), 403)
    assert "two-factor" in problem["detail"]

    totp = app.extensions["security"]._totp_factory
    staff.tf_totp_secret = totp.generate_totp_secret()
    staff.tf_primary_method = "authenticator"
    db.session.commit()
    key = TOTP.using(secrets=app.config["SECURITY_TOTP_SECRETS"]).from_source(
        staff.tf_totp_secret)
    body = {"email": staff.email, "password": PASSWORD}
    assert_problem(bare.post("/api/v1/auth/token", json=body), 401)
    assert_problem(bare.post("/api/v1/auth/token", json={**body, "code": "000000"}), 401)
    ok = bare.post("/api/v1/auth/token", json={**body, "code": totp_code(key.base32_key)})
    assert ok.status_code == 200
    assert bare.post(url, json={"delta": 1, "reason": "restock"},
                     headers=headers(ok.get_json()["token"])).status_code == 201


def test_no_token_or_a_forged_one_is_401_even_with_a_session_cookie(app, auth, client):
    """Without a token a private read is 401; a bad token is 401 though the browser is signed in."""
    assert_problem(client.get("/api/v1/orders"), 401)
    auth.login("customer")
    assert client.get("/api/v1/orders").status_code == 200  # the session cookie signs in
    response = client.get("/api/v1/orders", headers=headers("forged"))
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Authentication-Token"


def test_token_writes_need_no_csrf_but_session_writes_do(app, auth, client, token_for, bare):
    """A staff token adjusts stock without a CSRF token; the same call from a signed-in browser
    is refused (400, nothing changed) until it sends the page's CSRF token."""
    variant = make_product(stock=5).variants[0]
    url = f"/api/v1/variants/{variant.id}/stock-adjustments"
    body = {"delta": 2, "reason": "restock"}
    assert bare.post(url, json=body, headers=headers(token_for("staff"))).status_code == 201

    auth.login("staff")
    problem = assert_problem(client.post(url, json=body), 400)
    assert "CSRF" in problem["detail"]
    assert_problem(client.post(url, json=body, headers={"X-CSRFToken": "forged"}), 400)
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).stock == 7
    response = client.post(url, json=body, headers={"X-CSRFToken": csrf_from(client, "/")})
    assert response.status_code == 201
    assert db.session.scalar(select(StockMovement.stock_after).order_by(
        StockMovement.id.desc()).limit(1)) == 9


def test_invalid_input_is_a_422_problem_naming_the_fields(app, token_for, bare):
    """Unknown and missing fields are named; nothing is read from a body that is not JSON."""
    variant = make_product().variants[0]
    url = f"/api/v1/variants/{variant.id}/stock-adjustments"
    problem = assert_problem(bare.post(url, json={"delta": "many", "colour": "red"},
                                       headers=headers(token_for("staff"))), 422)
    assert set(problem["errors"]) == {"delta", "colour", "reason"}


def test_unknown_paths_and_methods_are_problems(app, bare):
    """404 and 405 (with Allow) answer problem+json, not the shop's HTML error page."""
    assert_problem(bare.get("/api/v1/nothing-here"), 404)
    response = bare.get("/api/v1/auth/token")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


@pytest.fixture
def app_config():
    return {}


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3/minute",
                                         "RATELIMIT_STORAGE_URI": "memory://"}])
def test_rate_limit_answers_429_with_its_headers(app, bare):
    """The fourth call in a minute is a 429 problem with Retry-After; each says what is left."""
    make_product()
    remaining = []
    for _ in range(3):
        response = bare.get("/api/v1/products")
        assert response.status_code == 200
        remaining.append(response.headers["RateLimit-Remaining"])
        assert response.headers["X-RateLimit-Remaining"] == remaining[-1]
        assert response.headers["RateLimit-Policy"] == "3;w=60"
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 60
    assert remaining == ["2", "1", "0"]
    response = bare.get("/api/v1/products")
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["RateLimit-Limit"] == "3"
    assert response.headers["RateLimit-Remaining"] == "0"


def test_cors_is_off_by_default(app, bare):
    """Another site's page cannot read the API unless the owner allows its origin."""
    response = bare.get("/api/v1/products", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("app_config", [{"API_CORS_ORIGINS": ["https://app.example.com"]}])
def test_cors_allows_only_the_configured_origins(app, bare):
    """An allowed origin gets CORS headers (the token header included in a preflight)."""
    ok = bare.options("/api/v1/orders", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authentication-Token"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Authentication-Token" in ok.headers["Access-Control-Allow-Headers"]
    other = bare.get("/api/v1/products", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_openapi_document_and_its_page(app, bare):
    """The generated OpenAPI 3.1 document lists every operation; /api/v1/docs shows them."""
    spec = bare.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/products", "/api/v1/products/{slug}", "/api/v1/categories",
            "/api/v1/orders", "/api/v1/orders/{number}", "/api/v1/cart", "/api/v1/auth/token",
            "/api/v1/variants/{variant_id}/stock-adjustments",
            "/api/v1/orders/{number}/status", "/api/v1/orders/{number}/refunds"} <= set(
        spec["paths"])
    money = spec["components"]["schemas"]["Variant"]["properties"]["price"]
    assert money["type"] == "string"
    page = bare.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/orders/{number}/refunds" in html and "<script" not in html


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_a_crash_is_a_500_problem_that_tells_nothing_inside(app, bare):
    """An unexpected error under /api/ answers a problem, not a traceback or an HTML page."""

    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/broken-for-test", "broken_for_test", broken)
    response = bare.get("/api/v1/broken-for-test")
    problem = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert problem["detail"] == "Something went wrong on our side; please try again later."


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_STORAGE_URI": "memory://",
                                         "STORE_AUTH_LIMIT_PER_ACCOUNT": "2/minute"}])
def test_token_requests_are_limited_per_account_however_it_is_typed(app, auth, bare):
    """Password guessing through the API meets the sign-in form's per-account limit."""
    auth.user("customer")
    spellings = ["customer@example.com", "CUSTOMER@example.com", " Customer@Example.COM"]
    answers = [bare.post("/api/v1/auth/token", json={"email": email, "password": "guess"})
               for email in spellings]
    assert [r.status_code for r in answers] == [401, 401, 429]
    assert_problem(answers[2], 429)
    assert bare.post("/api/v1/auth/token", json={"email": "other@example.com",
                                                 "password": "guess"}).status_code == 401
