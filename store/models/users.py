"""Accounts: users and roles (Flask-Security fsqla_v3), and saved addresses."""

from __future__ import annotations

from flask_security.models import fsqla_v3 as fsqla
from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.extensions import db
from store.models.base import Timestamp
from store.models.types import EncryptedText

fsqla.FsModels.set_db_info(db)
# Flask-Security's association table comes without indexes; lookups by role need them.
Index("ix_roles_users_user_id", fsqla.FsModels.roles_users.c.user_id)
Index("ix_roles_users_role_id", fsqla.FsModels.roles_users.c.role_id)


class Role(db.Model, fsqla.FsRoleMixin):
    """A named set of permissions (owner, staff, customer, or one an owner makes)."""

    __tablename__ = "role"

    def __str__(self) -> str:
        return self.name


class User(db.Model, fsqla.FsUserMixin):
    """A person who can sign in: customer, staff or owner."""

    __tablename__ = "user"

    full_name = mapped_column(String(120), nullable=True)
    locale = mapped_column(String(8), nullable=True)
    # Set when a customer asked to be forgotten; personal data is then anonymised.
    erased_at = mapped_column(db.DateTime(timezone=True), nullable=True)

    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Address.id"
    )

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        """True for anyone allowed into the back office."""
        return self.has_permission("admin-access")


class UserSession(db.Model):
    """A signed-in browser. Its id is in that browser's session (and remember-me) cookie;
    signing out deletes the row, so a copy of the cookie no longer signs anyone in."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[Timestamp]


class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
    """WebAuthn credentials (the mixins require the table; the shop uses TOTP)."""

    __tablename__ = "webauthn"


class Address(db.Model):
    """A shipping address saved by a customer."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(EncryptedText())
    address_line1: Mapped[str] = mapped_column(EncryptedText())
    address_line2: Mapped[str] = mapped_column(EncryptedText(), default="")
    city: Mapped[str] = mapped_column(EncryptedText())
    postal_code: Mapped[str] = mapped_column(EncryptedText())
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(EncryptedText(), default="")
    # The one checkout preselects (else the newest); store.accounts.addresses keeps it unique.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[Timestamp]

    user: Mapped[User] = relationship(back_populates="addresses")

    def one_line(self, country_name: str | None = None) -> str:
        """The address on one line, for choices and lists (the country as `country_name`)."""
        parts = [self.full_name, self.address_line1, self.address_line2, self.postal_code,
                 self.city, country_name or self.country]
        return ", ".join(p for p in parts if p)
