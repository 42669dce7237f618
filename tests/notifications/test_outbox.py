"""The outbox: no email lost when the mail server is down, none sent twice, retries, resend."""

import re
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from store.database import write_transaction
from store.extensions import db
from store.models import EmailMessage, Order
from store.models.base import utcnow
from store.notifications import delivery as notifications
from store.notifications.delivery import flush_outbox
from store.notifications.outbox import queue_email
from store.orders import services as orders
from tests.conftest import csrf_from, make_app
from tests.factories import make_order, make_product
from tests.shopping import add_to_cart, checkout


class MailServer:
    """Switch the test SMTP server off and on again (same port, same mailbox)."""

    def __init__(self, smtp):
        self.smtp = smtp
        self.controller = smtp.controller

    def stop(self):
        self.controller.stop()

    def start(self):
        self.controller = Controller(self.smtp, hostname="127.0.0.1", port=self.smtp.port)
        self.controller.start()


@pytest.fixture
def server(smtp):
    """The test SMTP server, which a test may stop and start."""
    switch = MailServer(smtp)
    yield switch
    if switch.controller is not smtp.controller:
        switch.controller.stop()


def queue(count: int, kind: str = "order_paid") -> list[int]:
    """Queue `count` messages in one transaction; returns their ids."""
    with write_transaction():
        messages = [queue_email(kind, f"r{n}@example.com", f"Message {n}", f"Body {n}")
                    for n in range(count)]
        db.session.flush()
        ids = [m.id for m in messages]
    return ids


def rows() -> list[EmailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(EmailMessage).order_by(EmailMessage.id)))


def outbox_ids(smtp) -> Counter:
    """How many times each outbox row arrived at the server."""
    return Counter(int(m["X-Store-Outbox-Id"]) for m in smtp.messages)


def test_smtp_outage_loses_nothing_and_one_flush_delivers_each_once(app, server, smtp,
                                                                    runner, auth, shop):
    """With the mail server down, checkout and status changes work; the mail waits and
    goes out exactly once when the server is back."""
    auth.user("staff")
    server.stop()
    product = make_product(price="20.00")
    add_to_cart(shop, product.variants[0].id, 1)
    response = checkout(shop)
    assert response.status_code in (302, 303)
    number = re.search(r"/orders/([A-Z0-9-]+)", response.headers["Location"]).group(1)
    order = db.session.scalar(select(Order).where(Order.number == number))
    orders.transition(order.id, "paid")
    orders.transition(order.id, "shipped", carrier="ups", tracking_number="1Z999")

    waiting = rows()
    assert [m.kind for m in waiting] == ["order_confirmation", "staff_new_order",
                                         "order_paid", "order_shipped"]
    assert all(m.status == "pending" for m in waiting)
    # The checkout request tried to deliver its two messages once, and kept the error.
    assert [m.attempts for m in waiting] == [1, 1, 0, 0]
    assert "Connection refused" in waiting[0].last_error
    assert smtp.messages == []

    server.start()
    result = runner.invoke(args=["outbox", "flush", "--retry-now"])
    assert result.exit_code == 0, result.output
    assert "sent 4, not delivered 0" in result.output
    assert outbox_ids(smtp) == Counter({m.id: 1 for m in waiting})
    assert all(m.status == "sent" and m.sent_at for m in rows())

    again = runner.invoke(args=["outbox", "flush", "--retry-now"])
    assert "sent 0" in again.output
    assert len(smtp.messages) == 4


def test_failed_delivery_waits_longer_each_time_and_keeps_the_error(app, server):
    """Each failed try is counted, its error kept, and the next try waits 1, 2, 4... min."""
    server.stop()
    [message_id] = queue(1)
    assert flush_outbox() == (0, 1)
    [message] = rows()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in message.last_error
    wait = message.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    assert flush_outbox() == (0, 0)  # not due yet: nothing is tried
    assert rows()[0].attempts == 1

    notifications.retry_now()
    assert flush_outbox() == (0, 1)
    message = rows()[0]
    wait = message.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert message.attempts == 2
    assert timedelta(minutes=1, seconds=50) < wait <= timedelta(minutes=2)


def test_message_fails_after_the_last_attempt_and_can_be_resent(app, server, smtp):
    """After the last try a message is "failed"; resending it delivers it once."""
    server.stop()
    [message_id] = queue(1)
    with write_transaction():
        db.session.execute(update(EmailMessage).values(
            attempts=notifications.MAX_ATTEMPTS - 1))
    flush_outbox()
    message = rows()[0]
    assert (message.status, message.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    notifications.retry_now()
    assert flush_outbox() == (0, 0)  # failed messages are not retried by themselves

    server.start()
    assert notifications.resend(message_id) is True
    assert flush_outbox() == (1, 0)
    assert rows()[0].status == "sent"
    assert outbox_ids(smtp) == Counter({message_id: 1})
    assert notifications.resend(message_id) is False  # only failed messages


def flush_at_once(flask_app, workers: int) -> list:
    """Start `workers` threads flushing the outbox at the same moment; returns their errors."""
    barrier = threading.Barrier(workers)
    errors = []

    def work():
        with flask_app.app_context():
            try:
                barrier.wait()
                flush_outbox(1000)
            except Exception as exc:  # pragma: no cover - reported by the caller
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_concurrent_flushers_never_send_a_message_twice(app, smtp):
    """Four workers flushing at once (SQLite) send every message exactly once."""
    ids = queue(60)
    assert flush_at_once(app, workers=4) == []
    smtp.wait_for(60)
    assert outbox_ids(smtp) == Counter({i: 1 for i in ids})
    assert {(m.status, m.attempts) for m in rows()} == {("sent", 1)}


@pytest.mark.postgres
def test_concurrent_flushers_on_postgresql_never_send_twice(tmp_path, pg_url, smtp):
    """Four workers on PostgreSQL (FOR UPDATE SKIP LOCKED) send every message exactly once."""
    pg = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=pg_url, MAIL_PORT=smtp.port,
                  MAIL_SUPPRESS_SEND=False)
    with pg.app_context():
        ids = queue(80)
        db.session.remove()
    assert flush_at_once(pg, workers=4) == []
    smtp.wait_for(80)
    assert outbox_ids(smtp) == Counter({i: 1 for i in ids})
    with pg.app_context():
        assert {(m.status, m.attempts) for m in rows()} == {("sent", 1)}
        db.session.remove()
        db.engine.dispose()


def test_a_dead_workers_claim_is_taken_over(app, smtp):
    """A message claimed by a worker that died is sent by the next one, once."""
    [message_id] = queue(1)
    with write_transaction():
        db.session.execute(update(EmailMessage).values(
            status="sending", claimed_by="dead:1:abcd",
            claimed_at=utcnow() - notifications.STALE_CLAIM - timedelta(seconds=5)))
    assert flush_outbox() == (1, 0)
    assert outbox_ids(smtp) == Counter({message_id: 1})


def test_a_fresh_claim_is_left_alone(app, smtp):
    """A message another worker is sending right now is not sent again."""
    queue(1)
    with write_transaction():
        db.session.execute(update(EmailMessage).values(
            status="sending", claimed_by="busy:1:abcd", claimed_at=utcnow()))
    assert flush_outbox() == (0, 0)
    assert smtp.messages == []


def test_worker_once_delivers_and_prints_counts(app, smtp, runner):
    """`flask outbox worker --once` sends what is due and says how it went."""
    queue(3)
    result = runner.invoke(args=["outbox", "worker", "--once", "--interval", "1"])
    assert result.exit_code == 0, result.output
    assert "sent 3, not delivered 0" in result.output
    assert "0 pending" in result.output and "3 sent" in result.output
    assert len(smtp.wait_for(3)) == 3


def test_flush_reports_failures(app, server, runner):
    """`flask outbox flush` with the server down says nothing went out and keeps the mail."""
    server.stop()
    queue(2)
    result = runner.invoke(args=["outbox", "flush"])
    assert result.exit_code == 0, result.output
    assert "sent 0, not delivered 2" in result.output and "2 pending" in result.output


def test_a_request_delivers_its_own_mail_not_the_backlog(app, smtp, auth):
    """Mail a request commits goes out right after it; older mail is left to the worker."""
    older = queue(1)[0]
    order = make_order(status="paid")
    auth.login("staff")
    data = {"target": "shipped", "carrier": "gls", "tracking_number": "GLS1",
            "csrf_token": csrf_from(auth.client, f"/admin/order/details/?id={order.id}")}
    response = auth.client.post(f"/admin/order/{order.id}/status", data=data)
    assert response.status_code == 302
    [mail] = smtp.wait_for(1)
    assert "is on its way" in mail["Subject"]
    assert older not in outbox_ids(smtp)


# -- the back-office outbox view ---------------------------------------------------------------

def _mixed_outbox():
    order = make_order(email="ivy@example.com")
    with write_transaction():
        queue_email("order_paid", "ivy@example.com", "Paid", "x", order_id=order.id)
        queue_email("account_reset_instructions", "ivy@example.com", "Reset", "secret link")
        queue_email("support_reply", "ivy@example.com", "Re: your message", "y")
    return {m.kind: m for m in rows()}


def test_owner_sees_every_email_with_status_attempts_and_error(app, client, auth):
    """The owner's outbox lists all messages, with status, attempts and last error."""
    messages = _mixed_outbox()
    with write_transaction():
        db.session.execute(update(EmailMessage).where(
            EmailMessage.kind == "order_paid").values(
            status="failed", attempts=8, last_error="SMTPRecipientsRefused: 550 no such user"))
    auth.login("owner")
    html = client.get("/admin/emailmessage/").get_data(as_text=True)
    assert "Paid" in html and "Reset" in html and "Re: your message" in html
    assert "failed" in html and "550 no such user" in html
    reset = messages["account_reset_instructions"].id
    page = client.get(f"/admin/emailmessage/details/?id={reset}")
    assert page.status_code == 200 and "Reset" in page.get_data(as_text=True)
    assert "secret link" not in page.get_data(as_text=True)  # its live link stays hidden


def test_staff_see_only_order_emails(app, client, auth):
    """Staff see order emails, not account or support mail, even by guessing the id."""
    messages = _mixed_outbox()
    auth.login("staff")
    html = client.get("/admin/emailmessage/").get_data(as_text=True)
    assert ">Paid<" in html or "Paid" in html
    assert "Reset" not in html and "Re: your message" not in html
    hidden = messages["account_reset_instructions"].id
    page = client.get(f"/admin/emailmessage/details/?id={hidden}", follow_redirects=True)
    assert "secret link" not in page.get_data(as_text=True)
    shown = client.get(f"/admin/emailmessage/details/?id={messages['order_paid'].id}")
    assert shown.status_code == 200


def test_outbox_is_read_only_and_closed_to_customers(app, client, auth):
    """Nobody edits or deletes mail in the back office; customers cannot open it at all."""
    messages = _mixed_outbox()
    auth.login("owner")
    message_id = messages["order_paid"].id
    assert client.get("/admin/emailmessage/new/").status_code in (302, 403)
    assert client.get(f"/admin/emailmessage/edit/?id={message_id}").status_code in (302, 403)
    auth.logout()
    auth.login("customer")
    assert client.get("/admin/emailmessage/").status_code == 403


def test_owner_resends_a_failed_message_and_staff_cannot(app, client, auth, smtp):
    """Only an owner can resend a failed email; it then goes out once."""
    messages = _mixed_outbox()
    failed_id = messages["order_paid"].id
    with write_transaction():
        db.session.execute(update(EmailMessage).where(EmailMessage.id == failed_id).values(
            status="failed", attempts=8, last_error="boom"))
    auth.login("staff")
    data = {"action": "resend", "rowid": [str(failed_id)],
            "csrf_token": csrf_from(client, "/admin/emailmessage/")}
    assert client.post("/admin/emailmessage/action/", data=data).status_code == 403
    assert rows()[0].status == "failed"
    auth.logout()

    auth.login("owner")
    data["csrf_token"] = csrf_from(client, "/admin/emailmessage/")
    page = client.post("/admin/emailmessage/action/", data=data, follow_redirects=True)
    assert "queued again" in page.get_data(as_text=True)
    [mail] = smtp.wait_for(1)
    assert mail["Subject"] == "Paid"
    # The server has the mail a moment before the sender records it as sent.
    deadline = time.monotonic() + 10
    while {m.id: m.status for m in rows()}[failed_id] != "sent" and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.05)
    assert {m.id: m.status for m in rows()}[failed_id] == "sent"


def test_a_mail_server_that_never_answers_does_not_hang_delivery(tmp_path):
    """A server that accepts the connection but stays silent fails fast (MAIL_TIMEOUT)."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    app = make_app(tmp_path, MAIL_PORT=silent.getsockname()[1], MAIL_SUPPRESS_SEND=False,
                   MAIL_TIMEOUT=0.5)
    try:
        with app.app_context():
            queue(1)
            started = time.monotonic()
            assert flush_outbox() == (0, 1)
            assert time.monotonic() - started < 5
            [message] = rows()
            assert message.status == "pending" and "timed out" in message.last_error
            db.session.remove()
            db.engine.dispose()
    finally:
        silent.close()


class Picky:
    """An SMTP handler that refuses one mailbox for good (550) and takes the rest."""

    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(list(envelope.rcpt_tos))
        return "250 OK"


def test_a_refused_mailbox_fails_at_once_and_the_rest_still_go(tmp_path):
    """A permanent refusal (550) marks that message failed; the others are delivered."""
    from tests.conftest import free_port

    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app = make_app(tmp_path, MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    try:
        with app.app_context():
            with write_transaction():
                queue_email("order_paid", "nobody@example.com", "Lost", "x")
                queue_email("order_paid", "body@example.com", "Found", "y")
            assert flush_outbox() == (1, 1)
            lost, found = rows()
            assert (lost.status, lost.attempts) == ("failed", 1)
            assert "550" in lost.last_error
            assert found.status == "sent"
            assert handler.received == [["body@example.com"]]
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
