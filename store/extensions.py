"""Extension objects, created unbound and initialised in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_mail import Mail
from flask_migrate import Migrate
from flask_security import Security
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
security = Security()  # its outbox mail class is set in store.accounts.security
mail = Mail()
babel = Babel()
csrf = CSRFProtect()


def _limiter_key() -> str:
    """Rate-limit per signed-in account, else per session, never per address alone."""
    from flask import request, session
    from flask_login import current_user

    if current_user and getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    sid = session.get("_limiter_id")
    if sid:
        return f"session:{sid}"
    return f"addr:{request.remote_addr}"


limiter = Limiter(key_func=_limiter_key)
