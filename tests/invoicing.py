"""Helpers for the invoice tests: orders priced with VAT, paid orders, refunds and PDF text."""

import io
from decimal import Decimal

from pypdf import PdfReader

from store.extensions import db
from store.models import Order
from store.models.refunds import Invoice, Refund, RefundLine
from store.orders import services as orders
from store.pricing.taxes import seed_tax_rates
from store.pricing.totals import price_order
from tests.factories import make_order, make_product

SELLER = {"STORE_LEGAL_NAME": "Tienda Ñandú S.L.", "STORE_TAX_NUMBER": "ESB12345678",
          "STORE_ADDRESS": "Calle Mayor 1\n28013 Madrid"}


def taxed_order(items, *, country: str = "ES", locale: str = "en", user=None,
                prices_include_tax: bool = True, shipping_method: str = "standard",
                **overrides) -> Order:
    """A pending order priced like checkout prices it: `items` are (product, quantity)."""
    seed_tax_rates()
    lines = [(product.variants[0], product.variants[0].price, quantity)
             for product, quantity in items]
    price = price_order(lines, country=country, shipping_method=shipping_method,
                        prices_include_tax=prices_include_tax)
    order = make_order(items=[(product.variants[0], quantity) for product, quantity in items],
                       user=user, country=country, locale=locale, **overrides)
    for line, priced in zip(order.lines, price.lines, strict=True):
        line.unit_price, line.line_total = priced.unit_price, priced.line_total
        line.unit_price_net, line.tax_rate = priced.unit_price_net, priced.tax_rate
        line.tax_amount = priced.tax_amount
    order.subtotal, order.shipping_cost = price.subtotal, price.shipping
    order.tax_total, order.shipping_tax_rate = price.tax, price.shipping_tax_rate
    order.prices_include_tax, order.total = price.prices_include_tax, price.total
    db.session.commit()
    return order


def two_rate_order(**kwargs) -> Order:
    """A shirt at 21 % and two books at 4 %, shipped in Spain for 4.90 (taxed at 21 %).

    VAT 21 %: 25.00 + 4.05 taxed, 6.10 tax; VAT 4 %: 20.00 taxed, 0.80 tax; total 55.95.
    """
    shirt = make_product(name="Linen Shirt", price="30.25", tax_class="standard",
                         variants=[{"sku": "SHIRT-L", "stock": 10}])
    book = make_product(name="Año de lecturas", price="10.40", tax_class="super-reduced",
                        variants=[{"sku": "BOOK-1", "stock": 10}])
    return taxed_order([(shirt, 1), (book, 2)], **kwargs)


def pay(order: Order) -> Invoice:
    """Mark an order paid through the order service; returns its invoice."""
    orders.transition(order.id, "paid")
    db.session.expire_all()
    return db.session.scalar(db.select(Invoice).where(Invoice.order_id == order.id,
                                                      Invoice.kind == "invoice"))


def make_refund(order: Order, parts, *, shipping: str = "0.00", shipping_tax: str = "0.00",
                status: str = "succeeded") -> Refund:
    """A refund row, as the refund service records one: some order lines, given as
    (line, quantity, amount, tax), and some shipping (amounts with VAT). Commits."""
    refund = Refund(order_id=order.id, provider=order.payment_method, status=status,
                    shipping_amount=Decimal(shipping), amount=Decimal(shipping),
                    tax_amount=Decimal(shipping_tax))
    for line, quantity, amount, tax in parts:
        refund.lines.append(RefundLine(order_line_id=line.id, quantity=quantity,
                                       amount=Decimal(amount), tax_amount=Decimal(tax)))
        refund.amount += Decimal(amount)
        refund.tax_amount += Decimal(tax)
    db.session.add(refund)
    db.session.commit()
    return refund


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, joined."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)

