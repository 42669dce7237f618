"""Personal data is encrypted at rest: names, addresses, phones, messages, notes, stored
emails and audit values never sit in the database in clear; keys rotate while the old key
still reads; staff without `customers-pii` see masked emails and phones."""

import base64
from pathlib import Path

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select, text

from store import create_app
from store.accounts import keys as rotation
from store.accounts import masking
from store.accounts.keys import rotate_keys
from store.accounts.keys_cli import keys_cli
from store.audit.services import record
from store.config import ConfigError
from store.database import write_transaction
from store.extensions import db
from store.models import Address, AuditEvent, EmailMessage, Order, SupportTicket
from store.models.keys import DataKeyError, decrypt, encrypt, lookup_hash
from tests.conftest import base_config, csrf_from
from tests.factories import make_order, make_product
from tests.shopping import add_to_cart, checkout

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()

CUSTOMER = {"full_name": "Zuleika Quartermaine", "address_line1": "Rue Xylophone 77",
            "address_line2": "Escalera Wombat", "city": "Qwertyville",
            "postal_code": "QX-9731", "phone": "+34 611 987 654"}
MESSAGE = "My parcel smells of juniperberry"
NOTE = "Leave it with neighbour Ximena Brightwater"
SECRETS = [*CUSTOMER.values(), MESSAGE, NOTE, "Zyxburg-on-Sea"]


def raw_database(app) -> bytes:
    """The SQLite file's bytes after the write-ahead log went into it (plus any WAL left)."""
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(db.engine.url.database)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def in_clear(data: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in data or s.encode("utf-16-le") in data]


def raw(sql: str) -> list:
    """Values as stored, bypassing the column types."""
    return list(db.session.execute(text(sql)).scalars())


def place_order_and_talk(shop, client, auth) -> tuple[Order, str]:
    """A customer orders and writes to support; staff note the order and audit an address."""
    customer = auth.user("customer", "zuleika@example.com")
    product = make_product(stock=5)
    add_to_cart(shop, product.variants[0].id, 1)
    response = checkout(shop, email="zuleika@example.com", **CUSTOMER)
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    shop.post("/support", data={"name": CUSTOMER["full_name"], "email": "zuleika@example.com",
                                "message": MESSAGE, "order_number": "",
                                "csrf_token": csrf_from(shop, "/support")})
    owner = auth.login("owner")
    client.post(f"/admin/order/{order.id}/notes",
                data={"body": NOTE, "csrf_token": csrf_from(
                    client, f"/admin/order/details/?id={order.id}")})
    with write_transaction():
        address = Address(user_id=customer.id, country="ES", **CUSTOMER)
        db.session.add(address)
        db.session.flush()
        record(owner, "update", address, {"city": [CUSTOMER["city"], "Zyxburg-on-Sea"]})
    return order, response.headers["Location"]


@pytest.mark.sqlite_only
def test_personal_data_never_lands_in_the_database_file_in_clear(app, shop, client, auth):
    """After an order, a support message, a staff note, the order emails and an audited
    address change, the raw database file holds none of the names, streets, phones or texts,
    yet the order page and the back office show them."""
    order, order_page = place_order_and_talk(shop, client, auth)
    assert db.session.scalar(select(db.func.count()).select_from(SupportTicket)) == 1
    assert raw("SELECT count(*) FROM email_message") != [0]

    data = raw_database(app)
    assert in_clear(data) == []
    assert b"v1:dev:" in data
    assert b"zuleika@example.com" in data  # emails stay in clear, for lookups

    page = shop.get(order_page).get_data(as_text=True)
    assert CUSTOMER["full_name"] in page and CUSTOMER["address_line1"] in page
    detail = client.get(f"/admin/order/details/?id={order.id}").get_data(as_text=True)
    assert CUSTOMER["full_name"] in detail and NOTE in detail
    ticket = db.session.scalar(select(SupportTicket))
    ticket_page = client.get(f"/admin/supportticket/details/?id={ticket.id}")
    assert MESSAGE in ticket_page.get_data(as_text=True)
    audit_page = client.get("/admin/auditevent/").get_data(as_text=True)
    assert "Zyxburg-on-Sea" in audit_page
    bodies = " ".join(db.session.scalars(select(EmailMessage.body_text)))
    assert CUSTOMER["address_line1"] in bodies  # the order emails, stored sealed, read back


@pytest.mark.sqlite_only
def test_a_value_written_under_key_a_reads_after_rotating_to_key_b(app, runner):
    """Under key A an order is written; with B first and A kept it still reads; after
    `flask keys rotate` every value is under B, A can go, and the file holds no A value."""
    app.config["STORE_DATA_KEYS"] = KEY_A
    order = make_order(full_name=CUSTOMER["full_name"], city=CUSTOMER["city"])
    with write_transaction():
        record("owner@example.com", "update", order, {"city": ["London", "Zyxburg-on-Sea"]})
    assert all(v.startswith("v1:a:") for v in raw('SELECT full_name FROM "order"'))

    app.config["STORE_DATA_KEYS"] = f"{KEY_B},{KEY_A}"
    db.session.expire_all()
    assert db.session.get(Order, order.id).full_name == CUSTOMER["full_name"]

    result = runner.invoke(keys_cli, ["rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "under key 'b'" in result.output
    for sql in ('SELECT full_name FROM "order"', 'SELECT city FROM "order"',
                "SELECT body_text FROM email_message", "SELECT changes FROM audit_event",
                "SELECT note FROM order_event"):
        assert all(v.startswith("v1:b:") for v in raw(sql)), sql
    assert b"v1:a:" not in raw_database(app)

    app.config["STORE_DATA_KEYS"] = KEY_B
    db.session.expire_all()
    assert db.session.get(Order, order.id).city == CUSTOMER["city"]
    [event] = db.session.scalars(select(AuditEvent))
    assert event.changes == {"city": ["London", "Zyxburg-on-Sea"]}
    again = runner.invoke(keys_cli, ["rotate"])
    assert "0 row(s) re-encrypted" in again.output


@pytest.mark.sqlite_only
def test_legacy_plaintext_rows_read_and_get_encrypted_by_rotate(app, runner):
    """Rows written before encryption existed read as they are, and rotate seals them."""
    order = make_order()
    with write_transaction():
        record(None, "update", order, {"phone": ["1", "2"]})
    db.session.execute(text(
        "UPDATE \"order\" SET full_name = 'Legacy Lucinda', phone = '+34 600 111 222'"))
    db.session.execute(text("UPDATE audit_event SET changes = '{\"phone\": [\"1\", \"2\"]}'"))
    db.session.commit()
    db.session.expire_all()
    legacy = db.session.get(Order, order.id)
    assert (legacy.full_name, legacy.phone) == ("Legacy Lucinda", "+34 600 111 222")
    assert db.session.scalar(select(AuditEvent.changes)) == {"phone": ["1", "2"]}

    result = runner.invoke(keys_cli, ["rotate"])
    assert result.exit_code == 0, result.output
    assert "order: 1 row(s) re-encrypted" in result.output
    assert raw('SELECT full_name FROM "order"')[0].startswith("v1:dev:")
    assert raw("SELECT changes FROM audit_event")[0].startswith("v1:dev:")
    assert b"Legacy Lucinda" not in raw_database(app)
    db.session.expire_all()
    assert db.session.get(Order, order.id).full_name == "Legacy Lucinda"


def test_rotation_does_not_undo_a_concurrent_edit(app):
    """A row changed between rotate's read and its write keeps the new value."""
    order = make_order(full_name="Before Edit")
    db.session.execute(text("UPDATE \"order\" SET full_name = 'Plain Old'"))
    db.session.commit()
    columns = rotation.encrypted_columns()[Order]
    stale = db.session.execute(select(Order.id, *[db.type_coerce(c, db.Text) for c in columns])
                               ).first()
    with write_transaction():
        db.session.get(Order, order.id).full_name = "Edited Meanwhile"
    with write_transaction():
        assert rotation._rotate_row(Order, columns, stale, "dev") is False
    db.session.expire_all()
    assert db.session.get(Order, order.id).full_name == "Edited Meanwhile"


@pytest.mark.postgres
def test_encrypted_columns_round_trip_on_postgres(pg_app):
    """On PostgreSQL the order's address and the audit JSON are stored sealed and read back."""
    order = make_order(full_name=CUSTOMER["full_name"], phone=CUSTOMER["phone"])
    with write_transaction():
        record(None, "update", order, {"phone": ["+1", CUSTOMER["phone"]], "n": 3})
    assert raw('SELECT full_name FROM "order"')[0].startswith("v1:dev:")
    assert raw("SELECT changes FROM audit_event")[0].startswith("v1:dev:")
    db.session.expire_all()
    assert db.session.get(Order, order.id).phone == CUSTOMER["phone"]
    assert db.session.scalar(select(AuditEvent.changes)) == {"phone": ["+1", CUSTOMER["phone"]],
                                                           "n": 3}
    pg_app.config["STORE_DATA_KEYS"] = KEY_B  # the derived key still reads what it sealed
    report = rotate_keys(batch_size=1)
    assert report.rotated["order"] == 1
    assert raw('SELECT full_name FROM "order"')[0].startswith("v1:b:")
    db.session.expire_all()
    assert db.session.get(Order, order.id).full_name == CUSTOMER["full_name"]


def test_checkout_saves_an_address_once(client, auth):
    """Saving the same address at two checkouts keeps one saved address (compared decrypted)."""
    user = auth.login("customer")
    product = make_product(stock=10)
    for _ in range(2):
        add_to_cart(client, product.variants[0].id, 1)
        checkout(client, email=user.email, save_address="y")
    assert db.session.scalar(select(db.func.count(Address.id))) == 1


def test_tampered_or_unknown_key_values_are_refused(app):
    """A sealed value that was altered, or sealed under a key no longer listed, is refused."""
    sealed = encrypt("Zuleika")
    assert decrypt(sealed) == "Zuleika" and encrypt("Zuleika") != sealed
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(DataKeyError):
        decrypt(tampered)
    with pytest.raises(DataKeyError):
        decrypt(sealed.replace("v1:dev:", "v1:gone:"))
    assert decrypt("plain legacy text") == "plain legacy text"


def test_production_refuses_to_start_without_data_keys(tmp_path):
    """Production needs STORE_DATA_KEYS and STORE_LOOKUP_KEY, with well-formed keys."""
    cfg = base_config(tmp_path, STORE_ENV="production",
                      SECRET_KEY="a-real-long-random-secret-value-123",
                      SECURITY_PASSWORD_SALT="a-real-long-random-salt-value-123",
                      TRUSTED_HOSTS=["shop.example.com"], STORE_URL="https://shop.example.com",
                      STORE_LOOKUP_KEY="a-real-long-random-lookup-key-123")
    with pytest.raises(ConfigError, match="STORE_DATA_KEYS"):
        create_app(cfg | {"STORE_DATA_KEYS": ""})
    with pytest.raises(ConfigError, match="STORE_DATA_KEYS"):
        create_app(cfg | {"STORE_DATA_KEYS": "k1:not-base64!"})
    with pytest.raises(ConfigError, match="STORE_LOOKUP_KEY"):
        create_app(cfg | {"STORE_DATA_KEYS": KEY_A, "STORE_LOOKUP_KEY": ""})
    assert create_app(cfg | {"STORE_DATA_KEYS": f"{KEY_B},{KEY_A}"})


def test_keys_new_prints_a_usable_key(app, runner):
    """`flask keys new k2` prints an entry STORE_DATA_KEYS accepts."""
    result = runner.invoke(keys_cli, ["new", "k2"])
    assert result.exit_code == 0
    entry = result.output.strip()
    app.config["STORE_DATA_KEYS"] = entry
    assert encrypt("x").startswith("v1:k2:")
    assert runner.invoke(keys_cli, ["new", "bad:id"]).exit_code != 0


def test_staff_without_pii_permission_see_masked_email_and_phone(app, auth):
    """Masks keep the first letter and domain of an email and the last two digits of a phone;
    the template filters show them in full only to holders of `customers-pii`."""
    assert masking.mask_email("ana@example.com") == "a**@example.com"
    assert masking.mask_phone("+34 600 123 456") == "+** *** *** *56"
    assert masking.mask_email("") == "" and masking.mask_phone(None) == ""
    masking.init_app(app)
    datastore = app.extensions["security"].datastore
    datastore.create_role(name="pii-reader", permissions=["admin-access", "customers-pii"])
    datastore.create_role(name="packer", permissions=["admin-access", "orders-read"])
    db.session.commit()
    staff = auth.user("packer", "packer@example.com")
    reader = auth.user("packer", "reader@example.com")
    datastore.add_role_to_user(reader, "pii-reader")
    db.session.commit()
    template = "{{ 'ana@example.com'|pii_email }} {{ '+34 600 123 456'|pii_phone }}"
    for user, shown in ((staff, "a**@example.com +** *** *** *56"),
                        (reader, "ana@example.com +34 600 123 456")):
        with app.test_request_context():
            login_user(user)
            assert render_template_string(template) == shown


def test_email_lookup_hash_is_keyed_and_stable(app):
    """The hash that will find rows by email is the same for one address and depends on
    STORE_LOOKUP_KEY, so a leaked database alone cannot test guesses."""
    first = lookup_hash("ana@example.com")
    assert first == lookup_hash("ana@example.com") != lookup_hash("bob@example.com")
    assert "ana" not in first
    app.config["STORE_LOOKUP_KEY"] = "another-long-random-lookup-key"
    assert lookup_hash("ana@example.com") != first
