"""Account changes by staff and their audit rows are saved together, or not at all."""

import pytest
from sqlalchemy import select

from store.accounts import customers
from store.accounts.services import create_user
from store.audit import services as audit
from store.errors import PermissionDenied, ValidationFailed
from store.extensions import db
from store.models import AuditEvent, Order, User
from tests.conftest import PASSWORD, csrf_from
from tests.factories import make_order


def audit_rows(action: str) -> list[AuditEvent]:
    """The committed audit rows of one action (anything uncommitted is thrown away)."""
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def user_by_email(email: str) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def _crashing(real_record):
    """An audit.record that writes its row, then fails as a crash before the commit would."""
    def record_then_crash(*args, **kwargs):
        real_record(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("the server went away")
    return record_then_crash


@pytest.fixture
def crash_after_audit(monkeypatch):
    """Every audit row is written, then the server fails before the commit."""
    monkeypatch.setattr(audit, "record", _crashing(audit.record))
    return monkeypatch


def test_a_user_created_by_an_owner_is_audited_in_the_same_commit(app, auth):
    """An owner creates a user: the account and the audit row naming the owner are saved."""
    owner = auth.user("owner")
    user = create_user("hire@example.com", PASSWORD, ["staff"], actor=owner)
    [row] = audit_rows("create")
    assert (row.user_id, row.object_type, row.object_id) == (owner.id, "user", str(user.id))
    assert row.changes["roles"] == [None, ["staff"]]
    assert row.changes["password"] == [None, "(hidden)"]


def test_a_refused_user_creation_leaves_no_user_and_no_audit_row(app, auth):
    """Granting a role beyond one's own permissions is refused: no user, no audit row."""
    staff = auth.user("staff")
    with pytest.raises(PermissionDenied):
        create_user("sneaky@example.com", PASSWORD, ["owner"], actor=staff)
    assert user_by_email("sneaky@example.com") is None
    assert audit_rows("create") == []


def test_a_crash_after_the_user_audit_row_saves_neither(app, auth, crash_after_audit):
    """If user creation fails after its audit row was written, neither is saved."""
    owner = auth.user("owner")
    with pytest.raises(RuntimeError):
        create_user("hire@example.com", PASSWORD, ["staff"], actor=owner)
    crash_after_audit.undo()
    assert user_by_email("hire@example.com") is None
    assert audit_rows("create") == []


def test_a_user_created_from_the_command_line_is_not_audited(app):
    """Without a person acting (a command, the seeds) a user is created as before."""
    create_user("cli@example.com", PASSWORD, ["customer"])
    assert user_by_email("cli@example.com") is not None
    assert audit_rows("create") == []


def test_erasure_and_its_audit_row_are_saved_together(app, auth):
    """Erasing a customer writes the audit row naming the owner in the same commit."""
    owner = auth.user("owner")
    customer = auth.user("customer", "jane@example.com")
    customers.erase_customer(customer.id, actor=owner)
    [row] = audit_rows("erase")
    assert (row.user_id, row.object_id) == (owner.id, str(customer.id))
    assert user_by_email(customers.erased_email(customer.id)) is not None


def test_a_failed_erasure_leaves_no_audit_row(app, auth, monkeypatch):
    """A refused erasure and one that crashes after its audit row leave the customer, their
    orders and the audit log as they were."""
    owner = auth.user("owner")
    staff = auth.user("staff")
    customer = auth.user("customer", "jane@example.com")
    order = make_order(user=customer)
    with pytest.raises(ValidationFailed):
        customers.erase_customer(staff.id, actor=owner)
    with pytest.raises(PermissionDenied):
        customers.erase_customer(customer.id, actor=staff)
    monkeypatch.setattr(audit, "record", _crashing(audit.record))
    with pytest.raises(RuntimeError):
        customers.erase_customer(customer.id, actor=owner)
    monkeypatch.undo()
    assert user_by_email("jane@example.com").erased_at is None
    assert db.session.get(Order, order.id).email == "jane@example.com"
    assert audit_rows("erase") == []


def test_a_gdpr_export_by_staff_is_audited(app, auth):
    """An owner's GDPR export is logged, naming the owner; an export with no one acting
    (a command) logs nothing."""
    owner = auth.user("owner")
    customer = auth.user("customer", "jane@example.com")
    data = customers.export_customer(customer.id, actor=owner)
    assert data["account"]["email"] == "jane@example.com"
    [row] = audit_rows("export")
    assert (row.user_id, row.object_id) == (owner.id, str(customer.id))
    customers.export_customer(customer.id)
    assert len(audit_rows("export")) == 1


def test_owner_erasing_in_the_back_office_is_audited_once(client, auth):
    """An owner erases a customer from the back office: one audit row, written by the
    service with the erasure; a wrong confirmation writes none."""
    owner = auth.login("owner")
    customer = auth.user("customer", "jane@example.com")
    url = f"/admin/customer/details/?id={customer.id}"
    token = csrf_from(client, url)
    client.post(f"/admin/customer/{customer.id}/erase",
                data={"csrf_token": token, "confirm": "wrong@example.com"})
    assert audit_rows("erase") == []
    client.post(f"/admin/customer/{customer.id}/erase",
                data={"csrf_token": token, "confirm": "jane@example.com"})
    [row] = audit_rows("erase")
    assert row.user_id == owner.id
