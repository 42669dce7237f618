"""Readiness: whether this process can serve the shop (database reachable, schema current).

`/healthz` (store.web) answers "the process is alive"; `/readyz` answers "send it traffic":
a load balancer or an orchestrator keeps a new release out of rotation until its
migrations have run, and takes a process out when its database is gone.
"""

from __future__ import annotations

from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import jsonify
from sqlalchemy import text

from store.config import ROOT
from store.extensions import db


@cache
def migration_head() -> str | None:
    """The newest migration in this release's code (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def database_revision() -> str | None:
    """The migration the database is at (None on an empty database)."""
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no alembic_version table yet: nothing migrated
        db.session.rollback()
        return None


def readyz():
    """200 when the database answers and is at this code's migration; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable",
                       error=type(exc).__name__), 503
    current, head = database_revision(), migration_head()
    db.session.rollback()
    if current != head:
        return jsonify(status="unavailable", database="ok",
                       migrations=f"pending: database at {current or 'nothing'}, code at "
                                  f"{head}; run `flask db upgrade`"), 503
    return jsonify(status="ok", database="ok", migrations=head)
