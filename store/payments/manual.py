"""Manual payment: bank transfer or pay on delivery; staff mark the order paid."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from store.errors import PaymentError
from store.payments.base import PaymentProvider, RefundResult
from store.settings.services import get_settings


class ManualPayment(PaymentProvider):
    """Bank transfer or pay on delivery: the order stays pending until staff mark it paid."""

    code = "manual"
    label = _l("Bank transfer or pay on delivery")
    online = False
    refunds_by_hand = True

    def instructions(self, order, config) -> str:
        if order.status != "pending":
            return ""
        return _("Please transfer the total to %(bank)s, quoting order %(number)s, or pay "
                 "the courier on delivery.",
                 bank=get_settings().bank_details, number=order.number)

    def refund(self, order, refund, *, reference: str = "") -> RefundResult:
        """Staff made the bank refund themselves: record its reference."""
        reference = (reference or "").strip()
        if not reference:
            raise PaymentError("Type the reference of the bank transfer you made.")
        return RefundResult(reference=reference[:255], succeeded=True)
