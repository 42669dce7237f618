"""The shop's settings: read from one database row, cached per process, saved by owners.

`get_settings()` returns a frozen snapshot. Each process (worker) reads the row once per
request (one small SELECT, remembered in `g` for the rest of the request) and on every
call outside a request (commands, the outbox worker), so a save in one worker is seen by
every other on its next request, without a restart. The row's `version` also keys the
storefront's cached catalog fragments (store.catalog.freshness bumps it). The environment
only seeds the row on first use.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from email.utils import parseaddr
from typing import Any

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app, g, has_request_context, request
from sqlalchemy import create_engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from store.audit import services as audit
from store.database import WRITE, is_sqlite, write_transaction
from store.errors import ValidationFailed
from store.extensions import db
from store.i18n import country_codes
from store.models import StoreSettings
from store.models.settings import SETTINGS_ID

EXTENSION = "store_settings"
# Region codes Babel lists that are no country a parcel can go to.
TEXT_LIMITS = {"shop_name": 120, "legal_name": 200, "address": 1000, "tax_number": 40,
               "contact_email": 255, "bank_details": 1000}
MULTILINE = {"address", "bank_details"}
REQUIRED = {"shop_name", "contact_email"}
# Upper bounds keep a typo from holding stock for years (or overflowing a date).
INT_LIMITS = {"manual_hold_hours": 24 * 90, "low_stock_threshold": 100_000}
LABELS = {"shop_name": "Shop name", "legal_name": "Legal name", "address": "Address",
          "tax_number": "Tax (VAT) number", "contact_email": "Contact email",
          "bank_details": "Bank details", "prices_include_tax": "Prices include tax",
          "default_country": "Default country",
          "manual_hold_hours": "Hold time of unpaid orders (hours)",
          "low_stock_threshold": "Low-stock threshold"}


@dataclass(frozen=True)
class Settings:
    """A read-only snapshot of the shop's settings."""

    shop_name: str
    legal_name: str
    address: str
    tax_number: str
    contact_email: str
    bank_details: str
    prices_include_tax: bool
    default_country: str
    manual_hold_hours: int
    low_stock_threshold: int
    version: int = 0


EDITABLE = tuple(f.name for f in fields(Settings) if f.name != "version")


class _Cache:
    """One process's copy of the settings (one per app: two test apps are two workers).

    Replaced whole by plain assignment: no lock, since a thread holding one while it
    waits for the database could block a thread that holds SQLite's write lock.
    """

    snapshot: Settings | None = None


def _cache() -> _Cache:
    return current_app.extensions.setdefault(EXTENSION, _Cache())


# -- first run: seeds from the environment -----------------------------------------------------

def _env(key: str, default: str = "") -> str:
    """A seed value: the app's configuration first (tests set it), then the environment."""
    value = current_app.config.get(key)
    if value is None:
        value = os.environ.get(key)
    return default if value is None else str(value)


def _seed_int(key: str, default: int) -> int:
    try:
        value = int(_env(key, str(default)))
    except ValueError:
        return default
    return value if value > 0 else default


def seed_values() -> dict[str, Any]:
    """The first-run settings, from STORE_* configuration keys and environment variables."""
    name = _env("STORE_NAME", "SimpleStore")
    sender = parseaddr(_env("MAIL_DEFAULT_SENDER"))[1]
    country = _env("STORE_DEFAULT_COUNTRY", "ES").upper()
    return {
        "shop_name": name[:TEXT_LIMITS["shop_name"]],
        "legal_name": _env("STORE_LEGAL_NAME", name)[:TEXT_LIMITS["legal_name"]],
        "address": _env("STORE_ADDRESS")[:TEXT_LIMITS["address"]],
        "tax_number": _env("STORE_TAX_NUMBER")[:TEXT_LIMITS["tax_number"]],
        "contact_email": _env("STORE_CONTACT_EMAIL", sender)[:TEXT_LIMITS["contact_email"]],
        "bank_details": _env("STORE_BANK_DETAILS")[:TEXT_LIMITS["bank_details"]],
        "prices_include_tax": _env("STORE_PRICES_INCLUDE_TAX", "true").strip().lower()
        in {"1", "true", "yes", "on"},
        "default_country": country if country in countries() else "ES",
        "manual_hold_hours": _seed_int("STORE_MANUAL_HOLD_HOURS", 72),
        "low_stock_threshold": _seed_int("STORE_LOW_STOCK_THRESHOLD", 3),
    }


def _insert_seed():
    """INSERT of the seeded row that does nothing when another worker inserted it first."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    values = {**seed_values(), "id": SETTINGS_ID, "version": 1}
    return dialect.insert(StoreSettings.__table__).values(**values).on_conflict_do_nothing()


def _session_holds_write_lock() -> bool:
    """True when the session holds SQLite's write lock (another connection would wait)."""
    session = db.session()
    if not session.in_transaction() or not is_sqlite():
        return False
    if has_request_context() and g.get("store_write_request"):
        return True
    return bool(session.connection().get_execution_options().get(WRITE))


# -- reading -----------------------------------------------------------------------------------

_COLUMNS = [StoreSettings.__table__.c[name] for name in (*EDITABLE, "version")]


def _read(conn) -> Settings | None:
    row = conn.execute(select(*_COLUMNS).where(StoreSettings.id == SETTINGS_ID)).first()
    return Settings(**row._asdict()) if row is not None else None


@contextmanager
def _connection():
    """The session's connection inside its transaction, else a short one of our own.

    Never two connections at once per thread (a crowd of requests would drain the pool),
    and no transaction left open on the session by reading the settings (a long-running
    worker would keep reading one old SQLite snapshot).
    """
    session = db.session()
    if session.in_transaction():
        yield session.connection()
        return
    with db.engine.connect() as conn:
        yield conn


def _load() -> Settings:
    """The row as a snapshot, created from the seeds when it does not exist yet."""
    with _connection() as conn:
        settings = _read(conn)
    if settings is not None:
        return settings
    if _session_holds_write_lock():
        # Another connection would wait for our own lock: insert in the caller's
        # transaction (if it rolls back, a later call inserts again).
        with db.session.no_autoflush:
            db.session.execute(_insert_seed())
            return _read(db.session.connection())
    if is_sqlite() and db.session().in_transaction():
        # Committing the row apart now would make this read transaction unable to write
        # later (SQLite refuses to upgrade a stale snapshot): serve the seeds this time.
        return Settings(**seed_values(), version=0)
    return _create_apart()


def _create_apart() -> Settings:
    """Insert the seeded row on a connection outside the pool, committed at once.

    Once per shop: a crowd of first requests each holding a pooled connection would
    otherwise wait for a second one from the same pool.
    """
    engine = create_engine(db.engine.url, poolclass=NullPool)
    try:
        with engine.connect() as conn, conn.execution_options(**{WRITE: True}).begin():
            conn.execute(_insert_seed())
            return _read(conn)
    finally:
        engine.dispose()


def _stored() -> Settings | None:
    """The row as it is now: read once per request (kept in `g`), every time outside one.

    The whole row in one small SELECT: when its version moved (a settings save, or a
    catalog change, see store.catalog.freshness), no second query is needed.
    """
    if has_request_context():
        checked = g.get("store_settings_checked")
        # Tests may run several requests in one app context (and `g`): key it by request.
        if checked is not None and checked[0] is request.environ:
            return checked[1]
    with _connection() as conn:
        stored = _read(conn)
    _remember(stored)
    return stored


def _remember(stored: Settings | None) -> None:
    if has_request_context():
        g.store_settings_checked = (request.environ, stored)


def get_settings() -> Settings:
    """The shop's current settings (a frozen snapshot; never stale by more than a request)."""
    cache = _cache()
    snapshot = cache.snapshot
    stored = _stored()
    if stored is None:
        snapshot = _load()  # first run: creates the row (or serves the seeds)
        if snapshot.version:
            cache.snapshot = snapshot
            _remember(snapshot)
        return snapshot
    if snapshot is None or snapshot != stored:
        cache.snapshot = snapshot = stored
    return snapshot


def warm_up() -> None:
    """Create the row (first run) and fill this worker's cache before a request reads."""
    if _cache().snapshot is None and not db.session().in_transaction():
        try:
            get_settings()
        except SQLAlchemyError:
            # The database is down: the request meets (and reports) it itself, /healthz as 503.
            db.session.rollback()


def countries() -> dict[str, str]:
    """ISO 3166 country codes Babel knows, with their English names."""
    names = Locale("en").territories
    return {code: names[code] for code in country_codes()}


# -- saving ------------------------------------------------------------------------------------

def _clean_text(name: str, value: Any) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{LABELS[name]} must be text.", field=name)
    value = value.replace("\r\n", "\n").strip()
    if name not in MULTILINE:
        value = " ".join(value.split())
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise ValidationFailed(f"{LABELS[name]} contains control characters.", field=name)
    if name in REQUIRED and not value:
        raise ValidationFailed(f"{LABELS[name]} is required.", field=name)
    limit = TEXT_LIMITS[name]
    if len(value) > limit:
        raise ValidationFailed(f"{LABELS[name]} is too long (at most {limit} characters).",
                               field=name)
    if name == "contact_email":
        try:
            value = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValidationFailed(f"{LABELS[name]}: not a valid email address.",
                                   field=name) from exc
    return value


def _clean_int(name: str, value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationFailed(f"{LABELS[name]} must be a whole number of at least 1.",
                               field=name)
    if value > INT_LIMITS[name]:
        raise ValidationFailed(f"{LABELS[name]} must be at most {INT_LIMITS[name]}.",
                               field=name)
    return value


def _clean(name: str, value: Any) -> Any:
    """One setting checked and normalised; ValidationFailed (with `field`) when unusable."""
    if name in TEXT_LIMITS:
        return _clean_text(name, value)
    if name in INT_LIMITS:
        return _clean_int(name, value)
    if name == "prices_include_tax":
        if not isinstance(value, bool):
            raise ValidationFailed(f"{LABELS[name]} must be yes or no.", field=name)
        return value
    code = str(value or "").strip().upper()
    if code not in countries():
        raise ValidationFailed(f"{LABELS[name]}: choose a country by its ISO code.",
                               field=name)
    return code


def validate_changes(changes: dict) -> dict[str, Any]:
    """The changes checked and normalised; every error at once in ValidationFailed.errors."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(f"Unknown setting: {', '.join(unknown)}.", field=unknown[0])
    cleaned, errors = {}, {}
    for name, value in changes.items():
        try:
            cleaned[name] = _clean(name, value)
        except ValidationFailed as exc:
            errors[name] = exc.message
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(errors[first], field=first, errors=errors)
    return cleaned


def _locked_row() -> StoreSettings:
    """The settings row inside the write transaction, created from the seeds if missing."""
    db.session.execute(_insert_seed())
    query = select(StoreSettings).where(StoreSettings.id == SETTINGS_ID)
    if not is_sqlite():
        query = query.with_for_update()  # SQLite's write transaction already serialises
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def update_settings(changes: dict, *, actor) -> Settings:
    """Validate and save settings, audited, in one write transaction; bumps `version`.

    Every worker sees the change on its next request. A save that changes nothing
    writes nothing. Raises ValidationFailed (nothing saved) for any bad value.
    """
    cleaned = validate_changes(changes)
    with write_transaction():
        row = _locked_row()
        for name, value in cleaned.items():
            setattr(row, name, value)
        diff = audit.diff(row)
        if diff:
            row.version += 1
            audit.record(actor, "update", row, diff, summary="Store settings")
        settings = Settings(**{name: getattr(row, name) for name in (*EDITABLE, "version")})
    _cache().snapshot = settings
    _remember(settings)
    return settings


def as_dict(settings: Settings) -> dict[str, Any]:
    """The editable settings as a dict (to fill a form)."""
    values = asdict(settings)
    values.pop("version")
    return values
