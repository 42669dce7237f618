"""Invoices and credit notes: gap-free numbers, the PDF's content, the payment email's PDF."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from store.database import write_transaction
from store.errors import InvalidTransition
from store.extensions import db
from store.models import EmailMessage, Order
from store.models.base import utcnow
from store.models.refunds import Invoice
from store.notifications.delivery import flush_outbox
from store.notifications.outbox import queue_email
from store.orders import invoice_pdf, invoices
from store.orders import services as orders
from store.orders.refunds import LineChoice, refund_order
from tests.factories import make_order, make_product
from tests.invoicing import (
    SELLER,
    make_refund,
    pay,
    pdf_pages,
    pdf_text,
    taxed_order,
    two_rate_order,
)

YEAR = utcnow().year


@pytest.fixture
def app_config():
    return dict(SELLER)


def numbers(kind: str = "invoice") -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Invoice.number).where(Invoice.kind == kind)
                                   .order_by(Invoice.sequence)))


# -- numbering ---------------------------------------------------------------------------------

def test_paid_order_gets_the_first_invoice_number_with_seller_and_buyer(app):
    """Marking an order paid issues INV-<year>-000001 with the shop's and buyer's details."""
    order = two_rate_order(email="ada@example.com")
    invoice = pay(order)
    assert invoice.number == f"INV-{YEAR}-000001"
    assert (invoice.total, invoice.tax_total) == (Decimal("55.95"), Decimal("6.90"))
    assert invoice.seller["legal_name"] == "Tienda Ñandú S.L."
    assert invoice.seller["tax_number"] == "ESB12345678"
    assert invoice.buyer["name"] == "Ada Lovelace"
    assert invoice.buyer["email"] == "ada@example.com"
    assert invoice.buyer["country"] == "ES"
    assert pay(make_order()).number == f"INV-{YEAR}-000002"


def test_a_pending_or_cancelled_order_has_no_invoice(app):
    """No invoice before payment, and none for an order cancelled unpaid."""
    pending = make_order()
    cancelled = make_order()
    orders.transition(cancelled.id, "cancelled")
    assert numbers() == []
    assert invoices.invoice_of(pending) is None


def test_a_second_paid_never_issues_a_second_invoice(app):
    """Paying twice is refused and issuing again returns the same invoice."""
    order = make_order()
    first = pay(order)
    with pytest.raises(InvalidTransition):
        orders.transition(order.id, "paid")
    with write_transaction():
        again = invoices.issue_invoice(db.session.get(Order, order.id))
    assert again.id == first.id
    assert numbers() == [f"INV-{YEAR}-000001"]


def test_a_rolled_back_payment_gives_its_number_back(app):
    """A paid transition that fails later in its transaction consumes no number."""
    order = make_order()
    with pytest.raises(RuntimeError), write_transaction():
        orders.apply_transition(db.session.get(Order, order.id), "paid")
        assert invoices.invoice_of(order).number == f"INV-{YEAR}-000001"
        raise RuntimeError("the payment could not be recorded")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending"
    assert numbers() == []
    assert pay(make_order()).number == f"INV-{YEAR}-000001"


def test_a_new_year_starts_at_one(app, monkeypatch):
    """The first invoice of a new year (in UTC) is number 000001 of that year."""
    pay(make_order())
    pay(make_order())
    monkeypatch.setattr(invoices, "utcnow", lambda: datetime(YEAR + 1, 1, 1, 0, 0, 5,
                                                             tzinfo=UTC))
    assert pay(make_order()).number == f"INV-{YEAR + 1}-000001"
    assert pay(make_order()).number == f"INV-{YEAR + 1}-000002"
    assert invoices.document_year(datetime.fromisoformat(f"{YEAR + 1}-01-01T00:30:00+01:00")) \
        == YEAR


def pay_at_once(flask_app, count: int = 20) -> list[str]:
    """`count` orders marked paid from as many threads at the same moment."""
    ids = [make_order().id for _ in range(count)]
    db.session.remove()
    start = threading.Barrier(count)
    errors = []

    def mark_paid(order_id: int) -> None:
        with flask_app.app_context():
            try:
                start.wait(timeout=30)
                orders.transition(order_id, "paid")
            except Exception as exc:  # reported to the test
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=mark_paid, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a payment hung"
    assert errors == []
    assert db.session.scalar(db.select(db.func.count(Invoice.id))) == count
    assert sorted(db.session.scalars(db.select(Invoice.order_id))) == sorted(ids)
    return numbers()


@pytest.mark.slow
def test_twenty_payments_at_once_number_without_gaps_sqlite(app):
    """20 orders paid at once on SQLite: exactly INV-…-000001 to 000020, once each."""
    assert pay_at_once(app) == [f"INV-{YEAR}-{n:06d}" for n in range(1, 21)]


@pytest.mark.slow
@pytest.mark.postgres
def test_twenty_payments_at_once_number_without_gaps_postgres(pg_app):
    """The same 20 payments at once on PostgreSQL: no gap, no duplicate."""
    assert pay_at_once(pg_app) == [f"INV-{YEAR}-{n:06d}" for n in range(1, 21)]


@pytest.mark.postgres
def test_rolled_back_number_is_reused_on_postgres(pg_app):
    """On PostgreSQL too, a rolled-back payment's number goes to the next invoice."""
    order = make_order()
    with pytest.raises(RuntimeError), write_transaction():
        orders.apply_transition(db.session.get(Order, order.id), "paid")
        raise RuntimeError("rolled back")
    assert pay(make_order()).number == f"INV-{YEAR}-000001"
    assert pay(order).number == f"INV-{YEAR}-000002"


# -- the PDF -----------------------------------------------------------------------------------

def test_invoice_pdf_shows_seller_buyer_lines_one_row_per_rate_and_total(app):
    """The PDF names the invoice, seller, buyer, every line, each VAT rate and the total."""
    order = two_rate_order(email="ada@example.com")
    invoice = pay(order)
    text = pdf_text(invoice_pdf.render(invoice))
    for expected in (f"Invoice {invoice.number}", "Tienda Ñandú S.L.", "Calle Mayor 1",
                     "VAT number: ESB12345678", "Ada Lovelace", "1 Analytical Row",
                     "ada@example.com", f"Order: {order.number}",
                     "Linen Shirt SHIRT-L 1 €30.25 21 % €30.25",
                     "Año de lecturas BOOK-1 2 €10.40 4 % €20.80",
                     "Subtotal €51.05", "Shipping €4.90", "Total €55.95", "VAT included",
                     "VAT 4 % on €20.00 €0.80", "VAT 21 % on €29.05 €6.10",
                     "Payment method: Bank transfer"):
        assert expected in text, expected
    assert text.count("% on") == 2
    assert pdf_pages(invoice_pdf.render(invoice)) == 1


def test_invoice_pdf_is_in_the_order_language(app):
    """A Spanish order's invoice is written in Spanish, with Spanish money formats."""
    invoice = pay(two_rate_order(locale="es"))
    text = pdf_text(invoice_pdf.render(invoice))
    assert f"Factura {invoice.number}" in text
    assert "Facturar a" in text and "IVA incluido" in text
    assert "IVA del 21 % sobre 29,05" in text
    assert "55,95" in text and "España" in text


def test_prices_without_vat_add_it_rate_by_rate(app):
    """With prices entered without VAT, the tax rows are added before the total."""
    tool = make_product(name="Hammer", price="100.00", tax_class="standard")
    invoice = pay(taxed_order([(tool, 1)], prices_include_tax=False))
    text = pdf_text(invoice_pdf.render(invoice))
    assert "Plus VAT 21 % on €100.00 €21.00" in text
    assert "Total €121.00" in text
    assert "VAT included" not in text


def test_order_from_before_taxes_says_the_breakdown_is_unavailable(app):
    """An order placed before taxes existed gets an invoice without inventing VAT."""
    invoice = pay(make_order())
    assert invoice.tax_total is None
    text = pdf_text(invoice_pdf.render(invoice))
    assert "VAT breakdown unavailable" in text
    assert "Total €14.90" in text


def test_many_lines_continue_on_more_pages(app):
    """An order of 70 lines prints every line, over several pages."""
    product = make_product(name="Pin", price="1.00", variants=[
        {"sku": f"PIN-{n:02d}", "options": {"colour": f"c{n:02d}"}, "stock": 5}
        for n in range(70)])
    order = make_order(items=[(variant, 1) for variant in product.variants])
    data = invoice_pdf.render(pay(order))
    assert pdf_pages(data) >= 2
    text = pdf_text(data)
    assert all(f"PIN-{n:02d}" in text for n in range(70))
    assert "Total €74.90" in text


# -- credit notes ------------------------------------------------------------------------------

def test_credit_notes_are_numbered_apart_and_once_per_refund(app):
    """Credit notes run CN-<year>-000001, 000002 beside the invoices; one per refund."""
    order = two_rate_order()
    pay(order)
    shirt, book = order.lines
    first = make_refund(order, [(book, 1, "10.40", "0.40")])
    second = make_refund(order, [(shirt, 1, "30.25", "5.25")])
    with write_transaction():
        one = invoices.issue_credit_note(first)
        two = invoices.issue_credit_note(second)
        again = invoices.issue_credit_note(first)
    assert (one.number, two.number) == (f"CN-{YEAR}-000001", f"CN-{YEAR}-000002")
    assert again.id == one.id
    assert (one.kind, one.refund_id, one.total, one.tax_total) == (
        "credit_note", first.id, Decimal("10.40"), Decimal("0.40"))
    assert numbers() == [f"INV-{YEAR}-000001"]
    assert pay(make_order()).number == f"INV-{YEAR}-000002"


def test_credit_note_pdf_shows_what_went_back_by_rate(app):
    """A credit note names its invoice, the lines and shipping returned, tax by rate, total."""
    order = two_rate_order()
    invoice = pay(order)
    _shirt, book = order.lines
    refund = make_refund(order, [(book, 2, "20.80", "0.80")], shipping="4.90",
                         shipping_tax="0.85")
    with write_transaction():
        note = invoices.issue_credit_note(refund)
    text = pdf_text(invoice_pdf.render(note))
    for expected in (f"Credit note {note.number} (for invoice {invoice.number})",
                     "Tienda Ñandú S.L.", "Ada Lovelace",
                     "Año de lecturas BOOK-1 2 €10.40 4 % €20.80", "Shipping €4.90",
                     "VAT 4 % on €20.00 €0.80", "VAT 21 % on €4.05 €0.85", "Total €25.70"):
        assert expected in text, expected
    assert "Linen Shirt" not in text


# -- the payment email -------------------------------------------------------------------------

def pdf_attachments(message) -> list:
    return [part for part in message.iter_attachments()
            if part.get_content_type() == "application/pdf"]


def test_payment_email_carries_the_invoice_pdf(app, smtp):
    """The "payment received" email arrives with the invoice PDF attached."""
    order = two_rate_order(email="ada@example.com", locale="es")
    invoice = pay(order)
    assert flush_outbox() == (1, 0)
    (message,) = smtp.wait_for(1)
    assert order.number in message["Subject"]
    assert f"Te adjuntamos tu factura {invoice.number} en PDF." in smtp.text(message)
    (part,) = pdf_attachments(message)
    assert part.get_filename() == f"{invoice.number}.pdf"
    text = pdf_text(part.get_content())
    assert f"Factura {invoice.number}" in text and "Tienda Ñandú S.L." in text
    stored = db.session.scalar(db.select(EmailMessage))
    assert stored.attachments == [{"kind": "invoice", "id": invoice.id}]


def test_other_status_emails_attach_nothing(app, smtp):
    """Only the payment email carries the invoice; the shipping email has no attachment."""
    order = make_order()
    pay(order)
    orders.transition(order.id, "shipped", carrier="dhl", tracking_number="JD0001")
    assert flush_outbox() == (2, 0)
    by_subject = {m["Subject"]: m for m in smtp.wait_for(2)}
    shipped = next(m for s, m in by_subject.items() if "on its way" in s)
    assert pdf_attachments(shipped) == []


def test_an_attachment_that_cannot_be_drawn_fails_alone(app, smtp):
    """A message naming a missing document waits for a retry; the others still go out."""
    with write_transaction():
        queue_email("order_paid", "lost@example.com", "Lost", "x",
                    attachments=[{"kind": "invoice", "id": 9999}])
        queue_email("order_paid", "found@example.com", "Found", "y")
    assert flush_outbox() == (1, 1)
    assert [m["Subject"] for m in smtp.wait_for(1)] == ["Found"]
    db.session.expire_all()
    lost = db.session.scalar(db.select(EmailMessage).where(EmailMessage.subject == "Lost"))
    assert (lost.status, lost.attempts) == ("pending", 1)
    assert "9999" in lost.last_error


def test_a_refund_issues_its_credit_note_and_mails_it(app, smtp, auth):
    """Refunding a line through the refund service issues CN-YYYY-000001 for exactly that
    amount, and the refund email carries its PDF."""
    order = two_rate_order(email="ada@example.com")
    invoice = pay(order)
    assert flush_outbox() == (1, 0)
    smtp.wait_for(1)
    line = order.lines[0]
    refund = refund_order(order.id, [LineChoice(line.id, 1, False)], reference="BANK-1",
                          actor=auth.user("staff"))
    (note,) = [doc for doc in invoices.documents_of(db.session.get(Order, order.id))
               if doc.kind == "credit_note"]
    assert note.number == f"CN-{note.issued_at.year}-000001"
    assert note.refund_id == refund.id and note.total == refund.amount
    assert flush_outbox() == (1, 0)
    message = smtp.wait_for(2)[-1]
    assert f"credit note {note.number} is attached" in smtp.text(message)
    (part,) = pdf_attachments(message)
    text = pdf_text(part.get_content())
    assert f"Credit note {note.number}" in text and invoice.number in text
    assert f"€{refund.amount}" in text
