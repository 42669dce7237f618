"""Migrations build the whole schema from nothing, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from store import create_app
from store.extensions import db
from tests.conftest import base_config


def _schema_drift(app) -> list:
    """Differences between the migrated database and the models (none expected)."""
    def include(obj, name, type_, reflected, compare_to):
        # Search index tables are created by the migration's own DDL, not by models.
        from store.catalog.search import is_search_table

        return not (type_ == "table" and name and is_search_table(name))

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": include})
        return compare_metadata(context, db.metadata)


def _check(url, tmp_path):
    app = create_app(base_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "role", "product", "variant", "stock_movement", "order",
                "order_line", "cart", "email_message", "support_ticket",
                "audit_event"} <= tables
        assert _schema_drift(app) == []
        downgrade(revision="base")
        assert "product" not in set(inspect(db.engine).get_table_names())
        upgrade()
        db.engine.dispose()


def test_migrations_from_empty_sqlite(tmp_path):
    """`flask db upgrade` on an empty SQLite file builds exactly the models' schema."""
    _check(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path)


@pytest.mark.postgres
def test_migrations_from_empty_postgres(tmp_path, pg_url):
    """`flask db upgrade` on an empty PostgreSQL database builds the models' schema."""
    _check(pg_url, tmp_path)
