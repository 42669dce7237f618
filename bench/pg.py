"""A fresh PostgreSQL database for one run, on the server named in .pg-url, dropped after."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def server_url() -> str | None:
    """BENCH_PG_URL, else the URL in .pg-url (a SQLAlchemy URL with any database)."""
    url = os.environ.get("BENCH_PG_URL", "").strip()
    if not url and (ROOT / ".pg-url").is_file():
        url = (ROOT / ".pg-url").read_text().strip()
    return url or None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _plain(url: str) -> str:
    """psycopg's form of a SQLAlchemy URL (no +driver)."""
    scheme, rest = url.split("://", 1)
    return scheme.split("+")[0] + "://" + rest


@contextmanager
def fresh_database(url: str):
    """Yield the SQLAlchemy URL of a new, empty database; drop it afterwards."""
    name = f"store_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        with psycopg.connect(_plain(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
