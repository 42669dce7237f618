"""The application factory and configuration."""

import pytest

from store import create_app
from store.config import DEFAULT_PASSWORD_SALT, DEFAULT_SECRET_KEY, ConfigError
from tests.conftest import base_config


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


def test_sqlite_runs_in_wal_with_foreign_keys(app):
    """SQLite connections use WAL, a busy timeout and enforce foreign keys."""
    from sqlalchemy import text

    from store.extensions import db

    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
