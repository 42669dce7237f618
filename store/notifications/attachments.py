"""Attachments of outbox messages: named when queued, drawn when delivered.

A message stores what to attach as small references ([{"kind": "invoice", "id": 12}]),
not the files: the outbox keeps no second, unencrypted copy of a customer's documents, a
row stays small, and an SMTP outage still loses nothing (the document is drawn again on
the next try). The domain that owns a kind registers its renderer at app start
(`register(app, kind, renderer)`): notifications never import the domains that send mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

EXTENSION = "store_attachment_renderers"


@dataclass(frozen=True)
class Attachment:
    """A file ready to attach: its name, MIME type and bytes."""

    filename: str
    content_type: str
    data: bytes


Renderer = Callable[[int], Attachment]


class MissingAttachment(LookupError):
    """A message names an attachment nobody can draw (unknown kind, or the object is gone)."""


def register(app, kind: str, renderer: Renderer) -> None:
    """Let messages attach `kind`: `renderer(id)` returns the Attachment."""
    app.extensions.setdefault(EXTENSION, {})[kind] = renderer


def render(spec: dict) -> Attachment:
    """Draw one attachment a message names."""
    renderer = current_app.extensions.get(EXTENSION, {}).get(spec.get("kind"))
    if renderer is None:
        raise MissingAttachment(f"No renderer for attachments of kind {spec.get('kind')!r}.")
    return renderer(int(spec["id"]))
