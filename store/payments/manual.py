"""Manual payment: bank transfer or pay on delivery; staff mark the order paid."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from store.payments.base import PaymentProvider
from store.settings.services import get_settings


class ManualPayment(PaymentProvider):
    """Bank transfer or pay on delivery: the order stays pending until staff mark it paid."""

    code = "manual"
    label = _l("Bank transfer or pay on delivery")
    online = False

    def instructions(self, order, config) -> str:
        if order.status != "pending":
            return ""
        return _("Please transfer the total to %(bank)s, quoting order %(number)s, or pay "
                 "the courier on delivery.",
                 bank=get_settings().bank_details, number=order.number)
