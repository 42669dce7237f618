"""Shared fixtures: a fresh app and database per test, clients, sign-in and a real SMTP server."""

import hashlib
import os
import shutil
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine

from store import create_app
from store.catalog import images
from store.dev import seed
from store.extensions import db
from store.pages.services import ensure_default_pages
from store.pricing.discounts import ensure_welcome_code
from store.pricing.shipping import ensure_default_zones
from tests.databases import PgDatabases, database_url, drop_database, new_database

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "")
# "postgres" runs every test's app on its own fresh PostgreSQL database instead of a SQLite
# file (`make test-postgres`); tests about SQLite itself are marked sqlite_only and skipped.
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")


# Property tests have no time limit per example (a loaded machine, two test processes, made
# them "flaky" on timing alone) and keep no example database under the repository.
hypothesis_settings.register_profile("store", deadline=None, database=None)
hypothesis_settings.load_profile("store")


def pytest_collection_modifyitems(config, items):
    if TEST_DATABASE != "postgres":
        return
    skip = pytest.mark.skip(reason="about SQLite itself (TEST_DATABASE=postgres)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def seed_image_copies(tmp_path_factory):
    """The demo seed's image copies (thumbnail, WebP widths) made once per test process.

    Loading the demo catalogue spends most of its time encoding the same 51 images; the
    seed's make_variants is deterministic, so later calls copy the files the first call made
    for the same image. store.catalog.images.make_variants itself is left as it is.
    """
    made = tmp_path_factory.mktemp("seed-images")
    sizes = {}

    def make_variants(path: Path) -> tuple[int, int]:
        key = hashlib.sha256(path.name.encode() + path.read_bytes()).hexdigest()
        keep = made / key
        if key not in sizes:
            sizes[key] = images.make_variants(path)
            keep.mkdir()
            for name in [f"thumb_{path.name}", *(images.webp_path(path.name, width) for width
                                                 in images.srcset_widths(sizes[key][0]))]:
                shutil.copyfile(path.with_name(name), keep / name)
            return sizes[key]
        for copy in keep.iterdir():
            shutil.copyfile(copy, path.with_name(copy.name))
        return sizes[key]

    with mock.patch.object(seed, "make_variants", make_variants):
        yield


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


def make_app(tmp_path: Path, schema: Path | None = None, has_schema: bool = False,
             **overrides):
    """An app on a fresh database with the schema and built-in roles.

    `schema` is a SQLite file that holds the schema already (the sqlite_schema fixture): copied
    as the test's own file, it spares create_all. `has_schema` says the database in the overrides
    has it (a copy of the pg_template database).
    """
    config = base_config(tmp_path, **overrides)
    if schema is not None and "SQLALCHEMY_DATABASE_URI" not in overrides:
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(schema, tmp_path / "store.db")
        has_schema = True
    app = create_app(config)
    app.test_client_class = ClosingClient
    with app.app_context():
        if not has_schema:
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


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """A SQLite file with the schema, made once per test process; each test copies it."""
    folder = tmp_path_factory.mktemp("schema")
    app = create_app(base_config(folder))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return folder / "store.db"


@pytest.fixture
def app(tmp_path, app_config, request):
    """A fresh app and file-backed SQLite database; with the smtp fixture, mail goes there."""
    overrides = dict(app_config)
    prepared = {}
    if TEST_DATABASE == "postgres" and "SQLALCHEMY_DATABASE_URI" not in overrides:
        overrides["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("pg_schema_url")
        prepared["has_schema"] = True
    elif "SQLALCHEMY_DATABASE_URI" not in overrides:
        prepared["schema"] = request.getfixturevalue("sqlite_schema")
    if "smtp" in request.fixturenames:
        overrides.setdefault("MAIL_PORT", request.getfixturevalue("smtp").port)
        overrides.setdefault("MAIL_SUPPRESS_SEND", False)  # TESTING would swallow the mail
    app = make_app(tmp_path, **prepared, **overrides)
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


@pytest.fixture(scope="session")
def pg_admin(pg_server_url):
    """An autocommit engine on the server's own database, to create and drop test databases.

    Databases are dropped by one thread beside the tests (a drop waits for the server's
    checkpoint); the session waits for the last drops at its end.
    """
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT", pool_size=2)
    admin.drops = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-drop")
    yield admin
    admin.drops.shutdown(wait=True)
    admin.dispose()


@pytest.fixture(scope="session")
def pg_databases(pg_server_url, pg_admin):
    databases = PgDatabases(pg_admin, pg_server_url)
    yield databases
    databases.close()


@pytest.fixture
def pg_url(pg_server_url, pg_admin):
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = new_database(pg_admin)
    yield database_url(pg_server_url, name)
    pg_admin.drops.submit(drop_database, pg_admin, name)


@pytest.fixture
def pg_schema_url(pg_databases):
    """A PostgreSQL database of this test's own with the schema and no rows."""
    url = pg_databases.take()
    yield url
    pg_databases.give_back(url)


@pytest.fixture
def pg_app(tmp_path, pg_schema_url, app_config):
    """The app on a fresh PostgreSQL database."""
    app = make_app(tmp_path, has_schema=True, SQLALCHEMY_DATABASE_URI=pg_schema_url,
                   **app_config)
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
