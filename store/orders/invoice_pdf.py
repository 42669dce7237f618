"""The PDF of an invoice or credit note, drawn with fpdf2 from the stored document.

Pure Python (no system libraries); DejaVu Sans is bundled (store/orders/fonts) so "€" and
"ñ" print on any machine. Texts are in the order's language; every figure comes from
store.orders.invoices.figures(), this module only lays them out. One page for a normal
order; the lines table continues on further pages (with its heading) when it is long.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from store import payments
from store.extensions import db
from store.i18n import money
from store.models.refunds import Invoice
from store.notifications import attachments
from store.orders.invoices import ATTACHMENT_KIND, DocumentFigures, figures, invoice_of
from store.pricing.taxes import format_rate

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
MARGIN = 15
LINE = 5


def document_locale(document: Invoice) -> str:
    """The order's language when the shop offers it, else the default one."""
    locales = current_app.config["STORE_LOCALES"]
    locale = document.order.locale
    return locale if locale in locales else current_app.config["BABEL_DEFAULT_LOCALE"]


def filename(document: Invoice) -> str:
    """The PDF's file name: the document number."""
    return f"{document.number}.pdf"


def render(document: Invoice) -> bytes:
    """The document as PDF bytes, in the order's language."""
    with force_locale(document_locale(document)):
        pdf = _Document(document, figures(document))
        pdf.draw()
        return bytes(pdf.output())


def as_attachment(document_id: int) -> attachments.Attachment:
    """An outbox message's attached document, drawn at delivery."""
    document = db.session.get(Invoice, document_id)
    if document is None:
        raise attachments.MissingAttachment(f"There is no document {document_id}.")
    return attachments.Attachment(filename(document), "application/pdf", render(document))


def init_app(app) -> None:
    """Let outbox messages attach invoices and credit notes."""
    attachments.register(app, ATTACHMENT_KIND, as_attachment)


class _Document(FPDF):
    """One invoice or credit note on A4 paper."""

    def __init__(self, document: Invoice, numbers: DocumentFigures):
        super().__init__(format="A4")
        self.document = document
        self.numbers = numbers
        self.currency = document.currency
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 5)
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(self.heading())
        self.set_author(document.seller.get("legal_name", ""))
        self.set_creation_date(document.issued_at)
        self.alias_nb_pages()

    def money(self, value) -> str:
        return money(value, self.currency)

    def heading(self) -> str:
        if self.document.kind == "credit_note":
            invoice = invoice_of(self.document.order)
            if invoice is not None:
                return _("Credit note %(number)s (for invoice %(invoice)s)",
                         number=self.document.number, invoice=invoice.number)
            return _("Credit note %(number)s", number=self.document.number)
        return _("Invoice %(number)s", number=self.document.number)

    def footer(self):
        self.set_y(-MARGIN)
        self.set_font(FONT, size=8)
        self.cell(0, LINE, f"{self.document.number} · {self.page_no()}/{{nb}}", align="C")

    def text_line(self, text: str, *, bold: bool = False, size: float = 10,
                  align: str = "L", width: float = 0) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(width, LINE, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # -- blocks ------------------------------------------------------------------------------

    def draw(self) -> None:
        self.add_page()
        self.parties()
        self.ln(6)
        self.text_line(self.heading(), bold=True, size=15)
        self.facts()
        self.ln(4)
        self.lines_table()
        self.ln(2)
        self.totals()

    def parties(self) -> None:
        seller, buyer = self.document.seller, self.document.buyer
        half = (self.epw - 10) / 2
        top = self.get_y()
        self.text_line(seller.get("legal_name") or seller.get("shop_name", ""), bold=True,
                       width=half)
        for line in (seller.get("address") or "").splitlines():
            if line.strip():
                self.text_line(line.strip(), width=half)
        if seller.get("tax_number"):
            self.text_line(_("VAT number: %(number)s", number=seller["tax_number"]), width=half)
        if seller.get("email"):
            self.text_line(seller["email"], width=half)
        bottom = self.get_y()
        self.set_xy(MARGIN + half + 10, top)
        self.set_font(FONT, "B", 9)
        self.cell(half, LINE, _("Bill to"), new_x=XPos.LEFT, new_y=YPos.NEXT)
        code = buyer.get("country") or ""
        country = Locale.parse(document_locale(self.document)).territories.get(code, code)
        for line in [buyer.get("name", ""), *buyer.get("address", []), country,
                     buyer.get("email", "")]:
            if line:
                self.set_font(FONT, "", 10)
                self.multi_cell(half, LINE, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(MARGIN, max(bottom, self.get_y()))

    def facts(self) -> None:
        order = self.document.order
        provider = payments.provider_for(order)
        method = str(provider.label) if provider is not None else order.payment_method
        self.text_line(_("Issue date: %(date)s", date=format_date(self.document.issued_at,
                                                                   "long")))
        self.text_line(_("Order: %(number)s", number=order.number))
        self.text_line(_("Payment method: %(method)s", method=method))

    def lines_table(self) -> None:
        headings = (_("Item"), _("SKU"), _("Qty"), _("Unit price"), _("VAT"), _("Amount"))
        with self.table(col_widths=(62, 30, 12, 26, 14, 26), line_height=LINE + 1,
                        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                        headings_style=FontFace(emphasis="BOLD"), padding=1,
                        borders_layout="HORIZONTAL_LINES") as table:
            self.set_font(FONT, "", 9)
            row = table.row()
            for heading in headings:
                row.cell(heading)
            for item in self.numbers.rows:
                row = table.row()
                rate = f"{format_rate(item.tax_rate)} %" if item.tax_rate is not None else "–"
                for value in (item.name, item.sku, str(item.quantity),
                              self.money(item.unit_price), rate, self.money(item.amount)):
                    row.cell(value)

    def total_row(self, label: str, value: str, *, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", 11 if bold else 10)
        self.set_x(MARGIN + self.epw - 130)
        self.cell(95, LINE + 1, label, align="R")
        self.cell(35, LINE + 1, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def totals(self) -> None:
        numbers = self.numbers
        self.total_row(_("Subtotal"), self.money(numbers.subtotal))
        if numbers.discount:
            self.total_row(_("Discount"), "−" + self.money(numbers.discount))
        self.total_row(_("Shipping"), self.money(numbers.shipping))
        if numbers.tax_known and not numbers.prices_include_tax:
            self.tax_rows(_("Plus VAT %(rate)s %% on %(base)s"))
        self.total_row(_("Total"), self.money(numbers.total), bold=True)
        self.ln(2)
        if not numbers.tax_known:
            self.text_line(_("VAT breakdown unavailable: this order was placed before taxes "
                             "were recorded."), size=9)
        elif numbers.prices_include_tax:
            self.text_line(_("VAT included:"), bold=True, size=9)
            self.tax_rows(_("VAT %(rate)s %% on %(base)s"))

    def tax_rows(self, label: str) -> None:
        for share in self.numbers.taxes:
            self.total_row(label % {"rate": format_rate(share.rate),
                                    "base": self.money(share.net)}, self.money(share.amount))
