"""PostgreSQL databases for the tests: new empty ones, and reusable ones with the schema.

Creating a database and its schema costs far more than a test on it (create_all alone takes
most of a second on PostgreSQL), so each test process keeps its databases and empties them
between tests (tests/conftest.py: pg_schema_url, used by the app fixture with
TEST_DATABASE=postgres and by pg_app).
"""

import time
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.pool import NullPool

from store.extensions import db


def database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def new_database(admin) -> str:
    """A new, empty database whose commits do not wait for the disk: the tests' server is
    disposable, and no test crashes the server itself (only the app's processes)."""
    name = f"store_test_{uuid.uuid4().hex[:12]}"
    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
            return name
        except OperationalError:  # the server is busy; try again
            if attempt == 19:
                raise
            time.sleep(0.25)


class PgDatabases:
    """This test process's PostgreSQL databases with the schema, reused from test to test.

    A test takes one and gives it back; giving back empties every table and restarts the
    sequences, so the next test sees what a new database would show. A database whose
    schema a test changed, or that cannot be emptied, is dropped instead of reused.
    """

    def __init__(self, admin, server_url: str):
        self.admin, self.server_url = admin, server_url
        self.idle: list[str] = []
        self.shape: tuple | None = None

    def take(self) -> str:
        name = self.idle.pop() if self.idle else self._create()
        return database_url(self.server_url, name)

    def give_back(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                if _schema_shape(conn) == self.shape:
                    _empty(conn)
                    self.idle.append(name)
                    return
        except DBAPIError:
            pass
        finally:
            engine.dispose()
        self.admin.drops.submit(drop_database, self.admin, name)

    def close(self) -> None:
        for name in self.idle:
            drop_database(self.admin, name)

    def _create(self) -> str:
        name = new_database(self.admin)
        engine = create_engine(database_url(self.server_url, name), poolclass=NullPool)
        try:
            db.metadata.create_all(engine)  # with the search index (its after_create)
            with engine.connect() as conn:
                self.shape = _schema_shape(conn)
        finally:
            engine.dispose()
        return name


def _schema_shape(conn) -> tuple:
    """Counts of the public schema's relations, columns, triggers, functions and types."""
    return tuple(conn.execute(text("""
        SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public'),
               (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped),
               (SELECT count(*) FROM pg_trigger),
               (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'public'),
               (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = 'public')""")).one())


def _empty(conn) -> None:
    """Delete every row (children before parents) and restart every sequence."""
    conn.execute(text("SET LOCAL lock_timeout = '10s'"))
    known = [table.name for table in reversed(db.metadata.sorted_tables)]
    others = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    for name in known + sorted(set(others.scalars()) - set(known)):
        conn.execute(text(f'DELETE FROM "{name}"'))
    conn.execute(text("SELECT setval(format('%I', sequencename), start_value, false) "
                      "FROM pg_sequences WHERE schemaname = 'public'"))


def drop_database(admin, name: str) -> None:
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
