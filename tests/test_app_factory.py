"""The application factory and configuration."""

import re

import pytest
from sqlalchemy import select

from store import create_app
from store.config import DEFAULT_PASSWORD_SALT, DEFAULT_SECRET_KEY, ConfigError
from store.dev.seed import seed_demo
from store.extensions import db
from store.models import User
from tests.conftest import base_config, make_app


def test_production_refuses_default_secret_key(tmp_path):
    """A shop started in production with the default secret key refuses to start."""
    cfg = base_config(tmp_path, STORE_ENV="production", SECRET_KEY=DEFAULT_SECRET_KEY,
                      SECURITY_PASSWORD_SALT="a-real-long-random-salt-value-123")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(cfg)


def test_production_refuses_default_or_missing_salt(tmp_path):
    """Production also refuses the default or an empty password salt."""
    for salt in (DEFAULT_PASSWORD_SALT, ""):
        cfg = base_config(tmp_path, STORE_ENV="production",
                          SECRET_KEY="a-real-long-random-secret-value-123",
                          SECURITY_PASSWORD_SALT=salt)
        with pytest.raises(ConfigError, match="SECURITY_PASSWORD_SALT"):
            create_app(cfg)


def test_production_from_environment_refuses_defaults(monkeypatch):
    """STORE_ENV=production in the environment, without secrets, stops the app."""
    monkeypatch.setenv("STORE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECURITY_PASSWORD_SALT", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def production_config(tmp_path, **overrides) -> dict:
    """A production configuration with real secrets, hosts and address."""
    return base_config(tmp_path, STORE_ENV="production",
                       SECRET_KEY="a-real-long-random-secret-value-123",
                       SECURITY_PASSWORD_SALT="a-real-long-random-salt-value-123",
                       TRUSTED_HOSTS=["shop.example.com"], STORE_URL="https://shop.example.com",
                       STORE_DATA_KEYS="k1:" + "A" * 43 + "=",
                       STORE_LOOKUP_KEY="a-real-long-random-lookup-key-123", **overrides)


def test_production_with_real_secrets_starts_without_demo_accounts(tmp_path):
    """With real secrets production starts, with secure cookies and no demo accounts."""
    cfg = production_config(tmp_path)
    cfg.pop("STORE_DEMO_ACCOUNTS")
    cfg.pop("STORE_REQUIRE_2FA_FOR_STAFF")
    app = create_app(cfg)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["STORE_DEMO_ACCOUNTS"] is False
    assert app.config["STORE_REQUIRE_2FA_FOR_STAFF"] is True


def test_production_requires_trusted_hosts_and_a_matching_store_url(tmp_path):
    """Production refuses to start without TRUSTED_HOSTS, or with STORE_URL on another host."""
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        create_app(production_config(tmp_path) | {"TRUSTED_HOSTS": None})
    with pytest.raises(ConfigError, match="STORE_URL"):
        create_app(production_config(tmp_path) | {"STORE_URL": "http://127.0.0.1:5000"})


def test_development_defaults(app):
    """Development uses SQLite, bcrypt by default and plain-http cookies."""
    from store.config import load_config

    cfg = load_config()
    assert cfg["SECURITY_PASSWORD_HASH"] == "bcrypt"
    assert cfg["SESSION_COOKIE_SECURE"] is False
    assert cfg["SECURITY_CSRF_COOKIE"]["secure"] is False
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_healthz_reports_database(client):
    """/healthz answers JSON with the database reachable."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path):
    """/healthz answers 503 when the database cannot be opened."""
    missing = tmp_path / "no" / "such" / "dir" / "store.db"
    app = create_app(base_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_pages_send_security_headers(client):
    """Every storefront page carries a strict Content-Security-Policy."""
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_with_foreign_keys(app):
    """SQLite connections use WAL, a busy timeout and enforce foreign keys."""
    from sqlalchemy import text

    from store.extensions import db

    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def seeded_demo_database(tmp_path) -> None:
    """A database seeded in development, with the demo accounts (owner included)."""
    dev = make_app(tmp_path, STORE_DEMO_ACCOUNTS=True)
    with dev.app_context():
        seed_demo()
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_to_start_with_demo_accounts(tmp_path, monkeypatch):
    """A development database started in production refuses to serve, naming the fix."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    seeded_demo_database(tmp_path)
    with pytest.raises(ConfigError, match="flask users remove-demo") as refused:
        create_app(production_config(tmp_path))
    assert "owner@example.com" in str(refused.value)


def test_flask_run_answers_503_while_demo_accounts_are_active(tmp_path, monkeypatch):
    """Under `flask run` (which skips the start-up check) every page is a 503 with the fix."""
    seeded_demo_database(tmp_path)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = create_app(production_config(tmp_path))
    client = app.test_client()
    response = client.get("/login", base_url="https://shop.example.com")
    assert response.status_code == 503
    assert "flask users remove-demo" in response.get_data(as_text=True)


def test_production_starts_after_remove_demo(tmp_path, monkeypatch):
    """After `flask users remove-demo` production starts and the demo owner cannot sign in."""
    seeded_demo_database(tmp_path)
    # The command itself loads the app in production, as `flask` does.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    cli_app = create_app(production_config(tmp_path))
    with cli_app.app_context():
        owner_before = db.session.scalar(select(User).where(User.email == "owner@example.com"))
        old_uniquifier = owner_before.fs_uniquifier
        orders_owner_id = owner_before.id
        result = cli_app.test_cli_runner().invoke(args=["users", "remove-demo"])
        assert result.exit_code == 0, result.output
        assert "owner@example.com" in result.output
        db.session.remove()
        db.engine.dispose()
    monkeypatch.delenv("FLASK_RUN_FROM_CLI")

    app = create_app(production_config(tmp_path))
    client = app.test_client()
    base = "https://shop.example.com"
    assert client.get("/", base_url=base).status_code == 200
    with app.app_context():
        owner = db.session.get(User, orders_owner_id)  # kept, so their orders stay theirs
        assert owner.active is False and owner.fs_uniquifier != old_uniquifier
        db.session.remove()
    login = client.get("/login", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    response = client.post("/login", base_url=base, headers={"Referer": base + "/login"}, data={
        "email": "owner@example.com", "password": "storedemo123", "csrf_token": token})
    assert response.status_code == 200  # the form again, not a redirect into the shop
    assert client.get("/admin/", base_url=base).status_code in (302, 303)
    with app.app_context():
        db.engine.dispose()


def test_email_links_use_the_port_the_shop_runs_on(monkeypatch):
    """`PORT=8000 make run` without STORE_URL mails links to port 8000; a STORE_URL wins."""
    from store.config import load_config

    monkeypatch.delenv("STORE_URL", raising=False)
    monkeypatch.setenv("PORT", "8000")
    assert load_config()["STORE_URL"] == "http://127.0.0.1:8000"
    monkeypatch.delenv("PORT")
    assert load_config()["STORE_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("PORT", "8000")
    monkeypatch.setenv("STORE_URL", "https://shop.example.com")
    assert load_config()["STORE_URL"] == "https://shop.example.com"
