"""Notifications: email rendered when it is delivered, not when it is queued.

A change that sends mail (a checkout, above all) should spend its transaction on the
change, not on rendering two HTML emails. `outbox.queue_templated()` stores what to send:
the kind, the recipients, the translated subject, the template pair and a small JSON
`payload` (the ids, and the values that must stay as they were at the event, such as the
order's status then). The delivery (store.notifications.delivery) renders the bodies with
the builder registered here for the template, sends them and keeps them on the row. A
builder that fails (the order is gone, a template error) fails the message like an SMTP
error: it is retried, and no email is lost.

The domain that owns a template registers its builder at import (`@renders("name")`), so
notifications never import the domains that send mail.
"""

from __future__ import annotations

from collections.abc import Callable

from store.models import EmailMessage
from store.notifications.outbox import render_email

# payload, locale -> the template's context
Builder = Callable[[dict, str], dict]
_BUILDERS: dict[str, Builder] = {}


class NothingToRender(LookupError):
    """A message names a template nobody registered a builder for."""


def renders(template: str) -> Callable[[Builder], Builder]:
    """Register the function that builds `template`'s context from a message's payload."""
    def register(builder: Builder) -> Builder:
        _BUILDERS[template] = builder
        return builder
    return register


def needs_rendering(message: EmailMessage) -> bool:
    """Whether a message's bodies are still to be rendered (queued by template, not sent)."""
    return bool(message.template) and not message.body_text


def render_queued(message: EmailMessage) -> tuple[str, str]:
    """Render a message queued by template, as (text, html), in its language."""
    builder = _BUILDERS.get(message.template or "")
    if builder is None:
        raise NothingToRender(f"No builder for email template {message.template!r}.")
    context = builder(dict(message.payload or {}), message.locale)
    return render_email(message.template, message.locale, **context)
