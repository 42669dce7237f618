"""An order's documents: the invoice and credit notes as PDF, for whoever may see the order."""

from flask import Response, abort, request, url_for
from flask_babel import gettext as _

from store.errors import NotFound
from store.models import Order
from store.models.refunds import Invoice
from store.orders import invoice_pdf, invoices
from store.orders.access import access_values, find_order_for_viewer
from store.storefront.blueprint import bp


def _viewed_order(number: str) -> Order:
    """The order for this viewer (owner signed in, or guest with its token), else 404."""
    try:
        return find_order_for_viewer(number, request.args.get("token"))
    except NotFound:
        abort(404)


def pdf_response(document: Invoice) -> Response:
    """A document as a PDF download that no shared cache keeps."""
    response = Response(invoice_pdf.render(document), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{invoice_pdf.filename(document)}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<number>/invoice.pdf")
def order_invoice(number):
    """The order's invoice as PDF (404 until the order is paid)."""
    document = invoices.invoice_of(_viewed_order(number))
    if document is None:
        abort(404)
    return pdf_response(document)


@bp.get("/orders/<number>/credit-notes/<document_number>.pdf")
def order_credit_note(number, document_number):
    """One of the order's credit notes as PDF."""
    document = invoices.find_document(_viewed_order(number), document_number, "credit_note")
    if document is None:
        abort(404)
    return pdf_response(document)


@bp.app_template_global()
def order_documents(order: Order) -> list[tuple[str, str]]:
    """The order's documents as (label, link) for its page, links opening for its viewer.

    An order never paid has none: the invoice is issued when it is paid (no query then).
    """
    links = []
    if order.paid_at is None:
        return links
    for document in invoices.documents_of(order):
        if document.kind == "credit_note":
            links.append((_("Credit note %(number)s", number=document.number),
                          url_for("storefront.order_credit_note", number=order.number,
                                  document_number=document.number, **access_values(order))))
        else:
            links.append((_("Invoice %(number)s", number=document.number),
                          url_for("storefront.order_invoice", number=order.number,
                                  **access_values(order))))
    return links
