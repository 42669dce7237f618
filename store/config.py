"""Configuration read from the environment (and `.env` in development)."""

import hashlib
import hmac
import os
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from store.models.keys import DataKeyError, parse_keys

ROOT = Path(__file__).resolve().parent.parent

# Values a real shop must replace; production refuses to start with them.
DEFAULT_SECRET_KEY = "dev-secret-key-change-me"
DEFAULT_PASSWORD_SALT = "dev-password-salt-change-me"


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. default secrets in production)."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _decimal(value: str | None, default: str) -> Decimal:
    return Decimal(value if value not in (None, "") else default)


def _timezone(value: str | None) -> str:
    """An IANA time zone name (UTC when unset); an unknown name stops the start."""
    name = (value or "").strip() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"STORE_TIMEZONE {name!r} is not a time zone "
                          "(use a name such as Europe/Madrid)") from exc
    return name


def totp_secrets(env) -> dict[str, str]:
    """The keys that encrypt users' TOTP secrets: passlib's {tag: secret} for Flask-Security.

    SECURITY_TOTP_SECRET sets the key; without it one is derived from SECRET_KEY (never
    empty), so the key that signs sessions does not also encrypt the TOTP secrets. Changing
    either later makes existing authenticator set-ups unreadable.
    """
    secret = env.get("SECURITY_TOTP_SECRET") or hmac.new(
        (env.get("SECRET_KEY") or DEFAULT_SECRET_KEY).encode(), b"simplestore-totp",
        hashlib.sha256).hexdigest()
    return {"1": secret}


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask configuration from the environment, then apply overrides."""
    load_dotenv(ROOT / ".env", override=False)
    env = os.environ
    store_env = (overrides or {}).get("STORE_ENV") or env.get("STORE_ENV", "development")
    production = store_env == "production"
    instance = ROOT / "instance"
    cfg: dict = {
        "STORE_ENV": store_env,
        "SECRET_KEY": env.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{instance / 'store.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORE_NAME": env.get("STORE_NAME", "SimpleStore"),
        # The demo shop's legal details (first-run seeds of the settings); a real shop sets
        # its own in the back office; production seeds none (the legal name falls back to the
        # shop name).
        "STORE_LEGAL_NAME": env.get("STORE_LEGAL_NAME", None if production else "SimpleStore S.L."),
        "STORE_ADDRESS": env.get("STORE_ADDRESS",
                                 None if production else "Calle Mayor 1\n28013 Madrid\nSpain"),
        "STORE_TAX_NUMBER": env.get("STORE_TAX_NUMBER", None if production else "ESB00000000"),
        "STORE_CURRENCY": env.get("STORE_CURRENCY", "EUR"),
        # Links in emails: in development, where the shop really runs (`PORT=8000 make run`).
        "STORE_URL": env.get("STORE_URL") or f"http://127.0.0.1:{env.get('PORT') or '5000'}",
        "STORE_STAFF_EMAIL": env.get("STORE_STAFF_EMAIL", ""),
        "STORE_ORDER_PAYMENT_TIMEOUT_MINUTES": int(
            env.get("STORE_ORDER_PAYMENT_TIMEOUT_MINUTES", "60")
        ),
        # Unpaid orders hold stock: a manual (bank transfer) order is held this long, with a
        # reminder this many hours before it expires; one email or client address may hold
        # only so many unpaid orders (generous for a shared office address), and checkout
        # posts are limited per address too. Owner settings in the database: issue 11.
        "STORE_MANUAL_HOLD_HOURS": int(env.get("STORE_MANUAL_HOLD_HOURS", "72")),
        "STORE_PAYMENT_REMINDER_HOURS": int(env.get("STORE_PAYMENT_REMINDER_HOURS", "24")),
        "STORE_UNPAID_ORDERS_PER_EMAIL": int(env.get("STORE_UNPAID_ORDERS_PER_EMAIL", "5")),
        "STORE_UNPAID_ORDERS_PER_ADDRESS": int(
            env.get("STORE_UNPAID_ORDERS_PER_ADDRESS", "20")
        ),
        "STORE_CHECKOUT_LIMIT_PER_ADDRESS": env.get("STORE_CHECKOUT_LIMIT_PER_ADDRESS",
                                                    "30/minute;200/hour"),
        "STORE_BANK_DETAILS": env.get(
            "STORE_BANK_DETAILS", "IBAN ES00 0000 0000 0000 0000 0000, SimpleStore S.L."
        ),
        # Taxes: whether catalog prices include VAT, and the country a cart is priced for
        # before it has an address (owner settings in the database: issue 11).
        "STORE_PRICES_INCLUDE_TAX": _bool(env.get("STORE_PRICES_INCLUDE_TAX"), True),
        "STORE_DEFAULT_COUNTRY": env.get("STORE_DEFAULT_COUNTRY", "ES").upper(),
        # Shipping: flat rates per method, free above a threshold (in the shop currency).
        "SHIPPING_STANDARD": _decimal(env.get("SHIPPING_STANDARD"), "4.90"),
        "SHIPPING_EXPRESS": _decimal(env.get("SHIPPING_EXPRESS"), "9.90"),
        "SHIPPING_FREE_THRESHOLD": _decimal(env.get("SHIPPING_FREE_THRESHOLD"), "60.00"),
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(ROOT / "static" / "uploads"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Host names the shop answers to (comma-separated); any other Host header is a 400.
        # Required in production. Links in emails are built from STORE_URL regardless.
        "TRUSTED_HOSTS": [h.strip() for h in env.get("TRUSTED_HOSTS", "").split(",")
                          if h.strip()] or None,
        # Babel
        "BABEL_DEFAULT_LOCALE": env.get("BABEL_DEFAULT_LOCALE", "en"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        # The shop's time zone for dates customers read (IANA name, e.g. Europe/Madrid);
        # without one, times are shown in UTC and say so.
        "BABEL_DEFAULT_TIMEZONE": _timezone(env.get("STORE_TIMEZONE")),
        "STORE_LOCALES": ["en", "es"],
        # Mail
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "8025")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "SimpleStore <shop@example.com>"),
        "MAIL_TIMEOUT": 10,
        # Sign-in, registration and reset attempts, per address and per account.
        "STORE_AUTH_LIMIT_PER_ADDRESS": env.get("STORE_AUTH_LIMIT_PER_ADDRESS",
                                                "30/minute;300/hour"),
        "STORE_AUTH_LIMIT_PER_ACCOUNT": env.get("STORE_AUTH_LIMIT_PER_ACCOUNT",
                                                "10/minute;50/hour"),
        "STORE_CHECKOUT_LIMIT": env.get("STORE_CHECKOUT_LIMIT", "10/minute;60/hour"),
        "STORE_SUPPORT_LIMIT": env.get("STORE_SUPPORT_LIMIT", "5/hour"),
        # The account page's data downloads and deletion requests, per account and address.
        "STORE_ACCOUNT_DATA_LIMIT": env.get("STORE_ACCOUNT_DATA_LIMIT", "5/minute;20/hour"),
        "STORE_ACCOUNT_DATA_LIMIT_PER_ADDRESS": env.get("STORE_ACCOUNT_DATA_LIMIT_PER_ADDRESS",
                                                        "20/minute;100/hour"),
        "STORE_SUPPORT_LIMIT_PER_ADDRESS": env.get("STORE_SUPPORT_LIMIT_PER_ADDRESS", "30/hour"),
        "STORE_MAIL_MAX_ATTEMPTS": int(env.get("STORE_MAIL_MAX_ATTEMPTS", "8")),
        # Limiter: memory:// counts per process; with several workers or machines set a
        # shared store, e.g. redis://127.0.0.1:6379/0, or the limits multiply.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Operations: how many reverse proxies sit in front (their X-Forwarded-For is
        # trusted that many hops deep; 0 trusts none), the log format ("json" or "text";
        # JSON in production) and level, and the token /metrics requires (unset: no /metrics).
        "STORE_PROXY_COUNT": int(env.get("STORE_PROXY_COUNT", "0")),
        "STORE_LOG_FORMAT": env.get("STORE_LOG_FORMAT", ""),
        "STORE_LOG_LEVEL": env.get("STORE_LOG_LEVEL", "INFO"),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "RATELIMIT_HEADERS_ENABLED": True,
        # JSON API (/api/v1): requests per caller (token account, session or address), the
        # browser origins allowed to call it cross-site (comma-separated; none: CORS off),
        # and how long an auth token from POST /api/v1/auth/token lasts (seconds).
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "300/minute"),
        "API_CORS_ORIGINS": [o.strip() for o in env.get("API_CORS_ORIGINS", "").split(",")
                             if o.strip()],
        "API_TOKEN_MAX_AGE": int(env.get("API_TOKEN_MAX_AGE", str(7 * 24 * 3600))),
        "SECURITY_TOKEN_AUTHENTICATION_HEADER": "Authentication-Token",
        # Analytics (store.analytics): first-party events of the storefront, buffered and
        # written in batches (this many events, or this many seconds old), rolled up daily
        # and pruned after so many days. The salt of the daily visitor hash is derived
        # from SECRET_KEY when unset.
        "STORE_ANALYTICS_ENABLED": _bool(env.get("STORE_ANALYTICS_ENABLED"), True),
        "STORE_ANALYTICS_RETENTION_DAYS": int(env.get("STORE_ANALYTICS_RETENTION_DAYS", "90")),
        "STORE_ANALYTICS_BATCH_SIZE": int(env.get("STORE_ANALYTICS_BATCH_SIZE", "100")),
        "STORE_ANALYTICS_FLUSH_SECONDS": float(env.get("STORE_ANALYTICS_FLUSH_SECONDS", "5")),
        "STORE_ANALYTICS_SALT": env.get("STORE_ANALYTICS_SALT", ""),
        # Payments
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        # Sessions and CSRF
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Flask-Security
        "SECURITY_PASSWORD_SALT": env.get("SECURITY_PASSWORD_SALT", DEFAULT_PASSWORD_SALT),
        "SECURITY_PASSWORD_HASH": "bcrypt",
        # At least 12 characters and a zxcvbn score of 3: zxcvbn's bundled frequency lists
        # (common passwords, names, words, keyboard patterns) turn down "password1234".
        "SECURITY_PASSWORD_LENGTH_MIN": 12,
        "SECURITY_PASSWORD_COMPLEXITY_CHECKER": "zxcvbn",
        "SECURITY_ZXCVBN_MINIMUM_SCORE": 3,
        "SECURITY_REGISTERABLE": True,
        "SECURITY_CONFIRMABLE": True,
        "SECURITY_AUTO_LOGIN_AFTER_CONFIRM": True,
        "SECURITY_RECOVERABLE": True,
        "SECURITY_CHANGEABLE": True,
        "SECURITY_TRACKABLE": False,
        "SECURITY_TWO_FACTOR": True,
        "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
        "SECURITY_TOTP_SECRETS": totp_secrets(env),
        "SECURITY_TOTP_ISSUER": env.get("STORE_NAME", "SimpleStore"),
        "SECURITY_TWO_FACTOR_REQUIRED": False,
        "STORE_REQUIRE_2FA_FOR_STAFF": _bool(env.get("STORE_REQUIRE_2FA_FOR_STAFF"), production),
        "SECURITY_SEND_REGISTER_EMAIL": True,
        "SECURITY_POST_LOGIN_VIEW": "/",
        "SECURITY_POST_LOGOUT_VIEW": "/",
        # Only back-office users set up two-factor; send them back to where they work.
        "SECURITY_TWO_FACTOR_POST_SETUP_VIEW": "/admin/",
        "SECURITY_RESET_URL": "/reset",
        "SECURITY_CONFIRM_URL": "/confirm",
        "SECURITY_EMAIL_SENDER": env.get("MAIL_DEFAULT_SENDER", "SimpleStore <shop@example.com>"),
        "SECURITY_CSRF_COOKIE": {"key": "XSRF-TOKEN", "secure": production, "samesite": "Lax"},
        "SECURITY_TWO_FACTOR_VALIDITY_COOKIE": {
            "httponly": True,
            "secure": production,
            "samesite": "Strict",
        },
        "SECURITY_USERNAME_ENABLE": False,
        # A DNS lookup per address would fail offline and slow every sign-up.
        "SECURITY_EMAIL_VALIDATOR_ARGS": {
            "check_deliverability": _bool(env.get("STORE_CHECK_EMAIL_DELIVERABILITY"))
        },
        "SECURITY_FLASH_MESSAGES": True,
        # Sign-in, registration and reset answer the same whether or not an account exists;
        # registering a taken address mails that address's owner instead.
        "SECURITY_RETURN_GENERIC_RESPONSES": True,
        "SECURITY_URL_PREFIX": None,
        "SECURITY_DEFAULT_REMEMBER_ME": False,
        "SECURITY_MSG_UNAUTHORIZED": ("You do not have permission to view this page.", "error"),
        # Sessions and recovery (issue 10): remember-me for 30 days at most (sign-ins are also
        # checked against store.accounts.sessions), and one-time recovery codes for two-factor.
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,  # seconds
        "SECURITY_MULTI_FACTOR_RECOVERY_CODES": True,
        # Development conveniences
        "STORE_DEV_SMTP": _bool(env.get("STORE_DEV_SMTP"), not production),
        "STORE_DEMO_ACCOUNTS": not production,
        "STORE_DEMO_PASSWORD": "storedemo123",
        # Personal data at rest: "id:base64key,..." (the first encrypts, all decrypt) and the
        # key of the hashes that find rows by email. Derived from SECRET_KEY when unset
        # (development and tests only).
        "STORE_DATA_KEYS": env.get("STORE_DATA_KEYS", ""),
        "STORE_LOOKUP_KEY": env.get("STORE_LOOKUP_KEY", ""),
    }
    if overrides:
        cfg.update(overrides)
    return cfg


def check_production(cfg: dict) -> None:
    """Refuse default or missing secrets when running in production."""
    if cfg.get("STORE_ENV") != "production":
        return
    for key, default in (
        ("SECRET_KEY", DEFAULT_SECRET_KEY),
        ("SECURITY_PASSWORD_SALT", DEFAULT_PASSWORD_SALT),
    ):
        value = cfg.get(key)
        if not value or value == default or len(str(value)) < 16:
            raise ConfigError(
                f"{key} must be set to a long random value when STORE_ENV=production"
            )
    if not cfg.get("TRUSTED_HOSTS"):
        raise ConfigError("TRUSTED_HOSTS must list the shop's host names when "
                          "STORE_ENV=production (e.g. TRUSTED_HOSTS=shop.example.com)")
    if urlsplit(cfg.get("STORE_URL") or "").hostname not in cfg["TRUSTED_HOSTS"]:
        raise ConfigError("STORE_URL must be the shop's public address, on one of "
                          "TRUSTED_HOSTS, when STORE_ENV=production")
    if not cfg.get("STORE_DATA_KEYS") or len(str(cfg.get("STORE_LOOKUP_KEY") or "")) < 16:
        raise ConfigError("STORE_DATA_KEYS and STORE_LOOKUP_KEY must be set when "
                          "STORE_ENV=production (`flask keys new` prints a data key)")
    try:
        parse_keys(cfg["STORE_DATA_KEYS"])
    except DataKeyError as exc:
        raise ConfigError(str(exc)) from exc
