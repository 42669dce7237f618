"""Database plumbing: SQLite pragmas, write transactions and helpers shared by services."""

import sqlite3
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from store.extensions import db

WRITE = "store_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    """WAL, a busy timeout and foreign keys for every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite otherwise defers it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    """Writers take SQLite's write lock up front so they queue instead of failing."""
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get(WRITE) or _in_write_request():
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _in_write_request() -> bool:
    return has_request_context() and bool(g.get("store_write_request"))


def _write_requests_take_the_lock() -> None:
    """On SQLite, every transaction of a POST (or other writing) request begins IMMEDIATE.

    Flask-Security (register, confirm, reset, two-factor, login tracking), the locale
    switch and Flask-Admin's saves read and then write in one deferred transaction: in WAL
    mode that fails at once with "database is locked" when another writer committed
    meanwhile, instead of waiting its turn. Taking the lock up front makes them queue.
    Once the request uses the shop's own write_transaction(), its later reads are plain
    again (a checkout calling Stripe holds no lock).
    """
    # Set on every request: tests may share one app context (and `g`) between requests.
    g.store_write_request = request.method not in SAFE_METHODS and is_sqlite()
    if not g.store_write_request:
        return
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()  # a read begun earlier in the request (the current user, say)


def _release_the_lock(_exc=None) -> None:
    """End a writing request's clean transaction, so its lock is not held past the request."""
    if not g.pop("store_write_request", False):
        return
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()


def reads_before_its_write() -> None:
    """This writing request's service owns its write transaction (write_transaction()): the
    reads before it run without SQLite's write lock, so other writers are not held up."""
    if has_request_context():
        g.pop("store_write_request", None)


def init_app(app) -> None:
    """Make writing requests take SQLite's write lock up front."""
    app.before_request(_write_requests_take_the_lock)
    app.teardown_request(_release_the_lock)


def begin_write(*, keep_request_lock: bool = False) -> None:
    """Start the session's transaction as a write transaction.

    A read-only transaction already open (the request loaded the current user, say) is
    closed first, since SQLite cannot upgrade a deferred transaction safely under load.
    Pending changes are an error: a service must start its own transaction.
    `keep_request_lock` is for hooks that run inside another library's writing request
    (Flask-Security's signals): the library writes again after them, so its later
    transactions must still take the lock up front.
    """
    if has_request_context() and not keep_request_lock:
        g.pop("store_write_request", None)  # the service owns its transaction from here
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            session.flush()
        session.commit()
    session.connection(execution_options={WRITE: True})


@contextmanager
def write_transaction(*, keep_request_lock: bool = False):
    """Run a block as one write transaction: commit at the end, roll back on error."""
    begin_write(keep_request_lock=keep_request_lock)
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def is_sqlite() -> bool:
    """True when the shop runs on SQLite."""
    return db.engine.dialect.name == "sqlite"


# The largest primary key either database stores (a signed 64-bit integer).
MAX_ROW_ID = 2**63 - 1


def row_id(raw) -> int | None:
    """A row id typed or posted by someone, or None when it cannot be one.

    "12" -> 12; "abc", "", "-3", "1.5" and numbers beyond 64 bits -> None (SQLite refuses
    those with an OverflowError instead of finding nothing).
    """
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ROW_ID else None
