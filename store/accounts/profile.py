"""The customer's own profile: the name the shop greets them by and prefills at checkout."""

from __future__ import annotations

from flask_babel import gettext as _

from store.audit import services as audit
from store.database import write_transaction
from store.errors import ValidationFailed
from store.models import User

NAME_LENGTH = 120


def update_profile(user: User, full_name: str) -> User:
    """Change the customer's full name (empty clears it). Commits."""
    name = " ".join(str(full_name or "").split())
    if len(name) > NAME_LENGTH:
        raise ValidationFailed(_("Please use at most %(n)d characters.", n=NAME_LENGTH),
                               field="full_name")
    with write_transaction():
        if (user.full_name or "") != name:
            user.full_name = name or None
            audit.record(user, "update", user, {"full_name": [audit.REDACTED, audit.REDACTED]},
                         summary=f"Customer {user.id} changed their name")
    return user
