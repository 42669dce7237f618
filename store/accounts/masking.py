"""Masked emails and phones for staff who lack the `customers-pii` permission."""

from __future__ import annotations

from flask import Flask
from flask_security import current_user

PII_PERMISSION = "customers-pii"
MASK = "*"


def mask_email(email: str | None) -> str:
    """"ana@example.com" -> "a**@example.com": the first letter and the domain stay."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return local[:1] + MASK * max(len(local) - 1, 2)
    return f"{local[:1]}{MASK * max(len(local) - 1, 2)}@{domain}"


def mask_phone(phone: str | None) -> str:
    """"+34 600 123 456" -> "+** *** *** *56": only the last two digits stay."""
    if not phone:
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    kept = 0
    out = []
    for ch in reversed(phone):
        if ch.isdigit():
            out.append(ch if kept < 2 and digits > 4 else MASK)
            kept += 1
        else:
            out.append(ch)
    return "".join(reversed(out))


def can_see_pii(user=None) -> bool:
    """True when the user (default: the signed-in one) may see customers' emails and phones."""
    user = current_user if user is None else user
    return bool(getattr(user, "is_authenticated", False)
                and user.has_permission(PII_PERMISSION))


def pii_email(email: str | None) -> str:
    """The email as it is for staff holding `customers-pii`, masked for everyone else."""
    return (email or "") if can_see_pii() else mask_email(email)


def pii_phone(phone: str | None) -> str:
    """The phone as it is for staff holding `customers-pii`, masked for everyone else."""
    return (phone or "") if can_see_pii() else mask_phone(phone)


def init_app(app: Flask) -> None:
    """Register the Jinja filters `pii_email` and `pii_phone` (and the plain masks)."""
    app.jinja_env.filters.update(pii_email=pii_email, pii_phone=pii_phone,
                                 mask_email=mask_email, mask_phone=mask_phone)
