"""The customer's address book: saved addresses, one of them the default checkout preselects.

Every address is looked up with its owner, so another customer's address id is NotFound and
changes nothing. Orders keep their own copy of the address they were shipped to: editing or
deleting a saved address never touches an order.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from store.audit import services as audit
from store.database import row_id, write_transaction
from store.errors import NotFound, ValidationFailed
from store.extensions import db
from store.models import Address, User
from store.pricing import shipping

# (field, max length, required): the checkout form's rules (store.checkout.services).
FIELDS = (("full_name", 120, True), ("address_line1", 200, True),
          ("address_line2", 200, False), ("city", 100, True),
          ("postal_code", 20, True), ("country", 2, True), ("phone", 40, False))
MAX_ADDRESSES = 20


def addresses_of(user_id: int) -> list[Address]:
    """The customer's saved addresses: the default first, then the newest."""
    return list(db.session.scalars(
        select(Address).where(Address.user_id == user_id)
        .order_by(Address.is_default.desc(), Address.id.desc())))


def default_address(addresses) -> Address | None:
    """The address checkout preselects: the one chosen as default, else the newest."""
    addresses = list(addresses)
    chosen = next((a for a in addresses if a.is_default), None)
    return chosen or max(addresses, key=lambda a: a.id, default=None)


def find_address(user_id: int, address_id) -> Address:
    """One of the customer's addresses; NotFound for an id that is not theirs."""
    address_id = row_id(address_id)
    address = db.session.scalar(
        select(Address).where(Address.id == address_id, Address.user_id == user_id))
    if address is None:
        raise NotFound(_("That address is not one of yours."))
    return address


def clean_fields(values) -> dict:
    """An address's fields trimmed, within their lengths, the country an upper-case
    two-letter code; ValidationFailed names the first wrong one. Checkout uses it too."""
    cleaned = {}
    for name, length, required in FIELDS:
        value = " ".join(str(values.get(name) or "").split())
        if required and not value:
            raise ValidationFailed(_("Please fill in this field."), field=name)
        if len(value) > length:
            raise ValidationFailed(_("Please use at most %(n)d characters.", n=length),
                                   field=name)
        cleaned[name] = value
    cleaned["country"] = cleaned["country"].upper()
    if not cleaned["country"].isalpha() or len(cleaned["country"]) != 2:
        raise ValidationFailed(_("Please choose a country."), field="country")
    return cleaned


def clean(values: dict) -> dict:
    """An address for the address book: its fields, in a country the shop ships to."""
    cleaned = clean_fields(values)
    if cleaned["country"] not in shipping.allowed_countries():
        raise ValidationFailed(_("Please choose a country."), field="country")
    return cleaned


def _make_default(user_id: int, address: Address) -> None:
    db.session.execute(update(Address).where(Address.user_id == user_id, Address.id != address.id)
                       .values(is_default=False))
    address.is_default = True


def add_address(user: User, values: dict, *, make_default: bool = False) -> Address:
    """Save a new address for the customer (the default if asked, or if it is the first).
    Commits."""
    fields = clean(values)
    with write_transaction():
        count = len(addresses_of(user.id))
        if count >= MAX_ADDRESSES:
            raise ValidationFailed(_("You can save up to %(n)d addresses. Please delete one "
                                     "first.", n=MAX_ADDRESSES))
        address = Address(user_id=user.id, **fields)
        db.session.add(address)
        db.session.flush()
        if make_default or count == 0:
            _make_default(user.id, address)
        audit.record(user, "create", address, {}, summary=f"Address {address.id} added")
    return address


def update_address(user: User, address_id, values: dict, *,
                   make_default: bool = False) -> Address:
    """Change one of the customer's addresses, and whether it is the default. Commits."""
    fields = clean(values)
    with write_transaction():
        address = find_address(user.id, address_id)
        for name, value in fields.items():
            setattr(address, name, value)
        if make_default:
            _make_default(user.id, address)
        else:  # unticked: checkout falls back to the newest address
            address.is_default = False
        audit.record(user, "update", address, {}, summary=f"Address {address.id} changed")
    return address


def delete_address(user: User, address_id) -> None:
    """Delete one of the customer's addresses (orders keep their own copy). Commits."""
    with write_transaction():
        address = find_address(user.id, address_id)
        audit.record(user, "delete", address, {}, summary=f"Address {address.id} deleted")
        db.session.delete(address)


def set_default(user: User, address_id) -> Address:
    """Make one of the customer's addresses the one checkout preselects. Commits."""
    with write_transaction():
        address = find_address(user.id, address_id)
        _make_default(user.id, address)
    return address
