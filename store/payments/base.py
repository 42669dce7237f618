"""The interface every payment provider implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.errors import PaymentError

if TYPE_CHECKING:  # pragma: no cover
    from store.models import Order, Refund


@dataclass(frozen=True)
class RefundResult:
    """What a provider answered to a refund: its reference, and whether the money went."""

    reference: str
    #: False while the provider is still working on it: its webhook settles the refund.
    succeeded: bool = True


class PaymentProvider:
    """A way to pay. A new provider is one module that subclasses this, listed in store.payments."""

    #: Stored on the order (Order.payment_method) and posted by the checkout form.
    code: str = ""
    #: What the customer sees at checkout (a lazy translation).
    label = ""
    #: True when the customer pays online right away: unpaid orders then release their
    #: stock after STORE_ORDER_PAYMENT_TIMEOUT_MINUTES.
    online: bool = False
    #: True when staff refund by hand (a bank transfer) and type its reference.
    refunds_by_hand: bool = False

    def enabled(self, config) -> bool:
        """Whether the shop's configuration turns this provider on."""
        return True

    def start_payment(self, order: Order) -> str | None:
        """Begin paying a placed order: a URL to send the customer to, or None to stay.

        Called after the order is committed; raises PaymentError when the provider fails.
        """
        return None

    def instructions(self, order: Order, config) -> str:
        """What the customer should do next, shown on the order page."""
        return ""

    def refund(self, order: Order, refund: Refund, *, reference: str = "") -> RefundResult:
        """Send a recorded (pending) refund's money back to the customer.

        Called after the refund's claim is committed, outside any transaction; raises
        PaymentError when the provider refuses (the refund then fails and its claim goes).
        """
        raise PaymentError("This payment method cannot refund.")
