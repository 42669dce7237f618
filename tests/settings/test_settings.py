"""Store settings: seeded once from the environment, validated, audited, seen by every worker."""

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from store import settings as settings_package
from store.errors import ValidationFailed
from store.extensions import db
from store.models import AuditEvent, StoreSettings
from store.settings.services import get_settings, update_settings
from tests.conftest import make_app


@pytest.fixture
def app_config():
    return {"STORE_NAME": "Harbour Goods", "STORE_BANK_DETAILS": "IBAN ES11 2222",
            "STORE_MANUAL_HOLD_HOURS": 48}


@pytest.fixture
def worker_b(app, tmp_path):
    """A second app on the same database file: another worker process of the same shop."""
    other = make_app(tmp_path, STORE_NAME="Harbour Goods", STORE_BANK_DETAILS="IBAN ES11 2222")
    yield other
    with other.app_context():
        db.engine.dispose()


def audit_rows() -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "store_settings").order_by(AuditEvent.id)))


def test_first_use_seeds_the_row_from_the_environment(app):
    """The first time the shop reads its settings, the environment's values are saved."""
    settings = get_settings()
    assert (settings.shop_name, settings.bank_details, settings.manual_hold_hours) == (
        "Harbour Goods", "IBAN ES11 2222", 48)
    assert settings.prices_include_tax is True and settings.default_country == "ES"
    assert settings.low_stock_threshold == 3 and settings.version == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count(StoreSettings.id))) == 1
    # The environment only seeds the first run: a later value is not read again.
    app.config["STORE_BANK_DETAILS"] = "IBAN CHANGED"
    assert get_settings().bank_details == "IBAN ES11 2222"


def test_a_save_is_audited_and_bumps_the_version(app, auth):
    """Saving a setting records who changed what, from what to what, with the change."""
    owner = auth.user("owner")
    saved = update_settings({"bank_details": "IBAN ES99 0000", "manual_hold_hours": "24",
                             "default_country": "pt"}, actor=owner)
    assert (saved.bank_details, saved.manual_hold_hours, saved.default_country) == (
        "IBAN ES99 0000", 24, "PT")
    assert saved.version == 2 and get_settings() == saved
    [event] = audit_rows()
    assert event.actor == owner.email and event.action == "update"
    assert event.changes == {"bank_details": ["IBAN ES11 2222", "IBAN ES99 0000"],
                             "manual_hold_hours": [48, 24], "default_country": ["ES", "PT"]}
    # Saving the same values again changes nothing and logs nothing.
    assert update_settings({"manual_hold_hours": 24}, actor=owner).version == 2
    assert len(audit_rows()) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"manual_hold_hours": 0}, "manual_hold_hours"),
    ({"manual_hold_hours": -5}, "manual_hold_hours"),
    ({"manual_hold_hours": "2.5"}, "manual_hold_hours"),
    ({"manual_hold_hours": True}, "manual_hold_hours"),
    ({"low_stock_threshold": 0}, "low_stock_threshold"),
    ({"low_stock_threshold": None}, "low_stock_threshold"),
    ({"default_country": "XX"}, "default_country"),
    ({"default_country": "EU"}, "default_country"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"shop_name": "   "}, "shop_name"),
    ({"shop_name": "x" * 121}, "shop_name"),
    ({"tax_number": "B" * 41}, "tax_number"),
    ({"prices_include_tax": "maybe"}, "prices_include_tax"),
    ({"bank_details": "IBAN\x00"}, "bank_details"),
    ({"version": 99}, "version"),
])
def test_bad_values_are_refused_and_nothing_changes(app, auth, changes, field):
    """A bad value is refused with a message naming the field, and nothing is saved."""
    before = get_settings()
    with pytest.raises(ValidationFailed) as refused:
        update_settings({"bank_details": "IBAN NEW", **changes}, actor=auth.user("owner"))
    assert refused.value.details["field"] == field and refused.value.message
    assert get_settings() == before
    assert audit_rows() == []


def test_every_error_is_reported_at_once(app):
    """Two bad values give two messages, one per field."""
    with pytest.raises(ValidationFailed) as refused:
        update_settings({"manual_hold_hours": 0, "contact_email": "nope"}, actor=None)
    assert set(refused.value.details["errors"]) == {"manual_hold_hours", "contact_email"}


@pytest.mark.sqlite_only
def test_a_change_in_one_worker_is_seen_by_another_without_restart(app, worker_b, auth):
    """Two workers on one database: a save through one shows on the other's next request."""
    owner = auth.user("owner")
    with worker_b.test_request_context():
        assert get_settings().bank_details == "IBAN ES11 2222"  # cached by worker B

    update_settings({"bank_details": "IBAN ES77 7777"}, actor=owner)  # through worker A

    with worker_b.test_request_context():
        assert get_settings().bank_details == "IBAN ES77 7777"
    with worker_b.app_context():  # a command: checked on every call
        assert get_settings().version == 2


def test_one_request_checks_the_version_once(app, count_queries):
    """However often a request reads the settings, it asks the database once."""
    get_settings()  # the row exists and this worker has it cached
    with app.test_request_context(), count_queries() as statements:
        for _ in range(5):
            get_settings()
    assert len(statements) == 1 and "version" in statements[0]


@pytest.mark.sqlite_only
def test_outside_a_request_each_read_sees_the_latest_save(app, worker_b):
    """A long-running command (the outbox worker) sees a save made by another worker."""
    assert get_settings().manual_hold_hours == 48
    with worker_b.app_context():
        update_settings({"manual_hold_hours": 12}, actor=None)
    assert get_settings().manual_hold_hours == 12


def test_templates_read_the_settings(app):
    """Templates can print the settings, e.g. the legal line of a footer."""
    settings_package.init_app(app)
    update_settings({"legal_name": "Harbour Goods S.L.", "tax_number": "B12345678"}, actor=None)
    with app.test_request_context():
        text = render_template_string(
            "{{ store_settings().legal_name }} · {{ store_settings().tax_number }}")
    assert text == "Harbour Goods S.L. · B12345678"


def test_a_workers_first_request_creates_the_row(app, client):
    """Before the first page is served, the settings row exists, seeded from the environment."""
    settings_package.init_app(app)
    assert client.get("/healthz").status_code == 200
    db.session.rollback()
    row = db.session.get(StoreSettings, 1)
    assert row is not None and row.bank_details == "IBAN ES11 2222" and row.version == 1


@pytest.mark.postgres
def test_settings_on_postgres(pg_app):
    """On PostgreSQL too the row is seeded once and a save is audited and versioned."""
    assert get_settings().version == 1
    saved = update_settings({"low_stock_threshold": 5, "prices_include_tax": False}, actor=None)
    assert (saved.low_stock_threshold, saved.prices_include_tax, saved.version) == (5, False, 2)
    assert get_settings() == saved
    assert len(audit_rows()) == 1


def test_the_demo_shop_has_legal_details_and_production_seeds_none(monkeypatch):
    """In development the demo shop's legal name, address and VAT number are filled in (the
    legal pages show them); production seeds none, so the owner enters the real ones."""
    from store.config import load_config

    for key in ("STORE_LEGAL_NAME", "STORE_ADDRESS", "STORE_TAX_NUMBER"):
        monkeypatch.delenv(key, raising=False)
    development = load_config({"STORE_ENV": "development"})
    assert development["STORE_LEGAL_NAME"] == "SimpleStore S.L."
    assert "Madrid" in development["STORE_ADDRESS"] and development["STORE_TAX_NUMBER"]
    production = load_config({"STORE_ENV": "production"})
    assert production["STORE_LEGAL_NAME"] is None and production["STORE_TAX_NUMBER"] is None
