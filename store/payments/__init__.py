"""Payment providers behind one interface: a registry of PaymentProvider objects.

`manual` (bank transfer or pay on delivery, marked paid by staff) is always on; `stripe`
(hosted Checkout and a signed webhook) is on when its keys are configured. Card numbers never
reach the shop.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from store.errors import ValidationFailed
from store.payments.base import PaymentProvider
from store.payments.manual import ManualPayment
from store.payments.stripe_provider import StripePayment

# A new provider is one module with a PaymentProvider subclass, listed here.
_PROVIDERS: dict[str, PaymentProvider] = {
    provider.code: provider for provider in (ManualPayment(), StripePayment())
}


def enabled_providers(config=None) -> list[PaymentProvider]:
    """The providers this shop offers, manual first."""
    cfg = config if config is not None else current_app.config
    return [p for p in _PROVIDERS.values() if p.enabled(cfg)]


def get_provider(code: str, config=None) -> PaymentProvider:
    """An enabled provider by code; a clear error for anything else."""
    cfg = config if config is not None else current_app.config
    provider = _PROVIDERS.get(code or "")
    if provider is None or not provider.enabled(cfg):
        raise ValidationFailed(_("Please choose a payment method."), field="payment_method")
    return provider


def provider_for(order) -> PaymentProvider | None:
    """The provider an order was placed with (even if since switched off)."""
    return _PROVIDERS.get(order.payment_method)


def payment_label(order) -> str:
    """The name of the method an order was placed with, in the reader's language."""
    provider = provider_for(order)
    return str(provider.label) if provider is not None else (order.payment_method or "")


def can_pay_online(order, config=None) -> bool:
    """True when a pending order's online payment can be (re)started now."""
    cfg = config if config is not None else current_app.config
    provider = provider_for(order)
    return bool(order.status == "pending" and provider is not None and provider.online
                and provider.enabled(cfg))
