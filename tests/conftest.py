"""Shared fixtures: a fresh app and database per test, clients, sign-in and a real SMTP server."""

import os
import socket
import threading
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from store import create_app
from store.extensions import db
from store.pages.services import ensure_default_pages
from store.pricing.discounts import ensure_welcome_code
from store.pricing.shipping import ensure_default_zones

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "")
# "postgres" runs every test's app on its own fresh PostgreSQL database instead of a SQLite
# file (`make test-postgres`); tests about SQLite itself are marked sqlite_only and skipped.
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")


def pytest_collection_modifyitems(config, items):
    if TEST_DATABASE != "postgres":
        return
    skip = pytest.mark.skip(reason="about SQLite itself (TEST_DATABASE=postgres)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """Messages received by the test SMTP server, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        msg.envelope_rcpt = list(envelope.rcpt_tos)
        with self.arrived:
            self.messages.append(msg)
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        """Wait until at least `count` messages arrived; returns them all."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_rcpt]

    @staticmethod
    def text(msg) -> str:
        return msg.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(msg) -> str:
        part = msg.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


@pytest.fixture
def smtp():
    """A real aiosmtpd server on 127.0.0.1 collecting every message."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    mailbox.controller = controller
    yield mailbox
    try:
        controller.stop()
    except AssertionError:  # already stopped by the test
        pass


def base_config(tmp_path: Path, **overrides) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'store.db'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "STORE_ENV": "development",
        "STORE_DEMO_ACCOUNTS": False,
        # A fast hash everywhere but in the test that proves bcrypt is configured.
        "SECURITY_PASSWORD_HASH": "plaintext",
        "SECURITY_PASSWORD_SCHEMES": ["bcrypt", "plaintext"],
        "SECURITY_DEPRECATED_PASSWORD_SCHEMES": [],
        "SECURITY_HASHING_SCHEMES": ["sha256_crypt"],
        "SECURITY_DEPRECATED_HASHING_SCHEMES": [],
        "MAIL_PORT": 1,  # nothing listens: tests that need mail use the smtp fixture
        "RATELIMIT_ENABLED": False,
        "STORE_REQUIRE_2FA_FOR_STAFF": False,
        "SERVER_NAME": None,
    }
    cfg.update(overrides)
    return cfg


class ClosingClient(FlaskClient):
    """A test client that closes each response, as a real WSGI server does.

    Closing runs the response's close callbacks, which is when the app delivers the mail a
    request committed to the outbox. Requests share the test's app context (and database
    session); tests with several clients use tests.shopping.IsolatedClient instead.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def make_app(tmp_path: Path, **overrides):
    """An app on a fresh database with the schema and built-in roles."""
    app = create_app(base_config(tmp_path, **overrides))
    app.test_client_class = ClosingClient
    with app.app_context():
        db.create_all()
        from store.accounts.services import ensure_roles

        ensure_roles()
        ensure_default_zones()
        ensure_welcome_code()
        ensure_default_pages()
        db.session.remove()
    return app


@pytest.fixture
def app_config():
    """Per-test configuration overrides (override this fixture in a module)."""
    return {}


@pytest.fixture
def app(tmp_path, app_config, request):
    """A fresh app and file-backed SQLite database; with the smtp fixture, mail goes there."""
    overrides = dict(app_config)
    if TEST_DATABASE == "postgres":
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", request.getfixturevalue("pg_url"))
    if "smtp" in request.fixturenames:
        overrides.setdefault("MAIL_PORT", request.getfixturevalue("smtp").port)
        overrides.setdefault("MAIL_SUPPRESS_SEND", False)  # TESTING would swallow the mail
    app = make_app(tmp_path, **overrides)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def shop(app):
    """A client that shops like a browser against a real server (see tests.shopping)."""
    from tests.shopping import ShopClient  # tests.shopping imports this module

    app.test_client_class = ShopClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def pg_server_url():
    """The PostgreSQL server to test against (TEST_POSTGRES_URL); skipped when not set."""
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL not set (make test and .ci/run set it)")
    return PG_URL


@pytest.fixture
def pg_url(pg_server_url):
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"store_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server_url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    _drop_database(admin, name)
    admin.dispose()


def _drop_database(admin, name: str) -> None:
    """Drop a test database; retry while an autovacuum worker (a superuser's process,
    which FORCE may not end) still visits the new database."""
    for attempt in range(40):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except (ProgrammingError, OperationalError):
            if attempt == 39:
                raise
            time.sleep(0.25)


@pytest.fixture
def pg_app(tmp_path, pg_url, app_config):
    """The app on a fresh PostgreSQL database."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=pg_url, **app_config)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


class Auth:
    """Sign in and out through the real login form."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def user(self, role: str = "customer", email: str | None = None):
        """Create (once) a confirmed user with a role."""
        from store.accounts.services import create_user
        from store.models import User

        email = email or f"{role}@example.com"
        existing = db.session.scalar(db.select(User).where(User.email == email))
        return existing or create_user(email, PASSWORD, [role])

    def login(self, role: str = "customer", email: str | None = None):
        user = self.user(role, email)
        response = self.client.post("/login", data={
            "email": user.email, "password": PASSWORD, "csrf_token": self.csrf_token("/login"),
        })
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
        return user

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf_token("/")})

    def csrf_token(self, path: str = "/") -> str:
        return csrf_from(self.client, path)


def csrf_from(client, path: str = "/") -> str:
    """Load a page and return the CSRF token of its first form."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no csrf token on {path}"
    return match.group(1)


@pytest.fixture
def auth(app, client):
    return Auth(app, client)


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside a block: `with count_queries() as counter: ...`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("PRAGMA", "BEGIN", "SAVEPOINT",
                                                          "RELEASE")):
                statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
