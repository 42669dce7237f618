"""Column types that encrypt personal data at rest (AES-GCM; keys in store.models.keys)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from store.models.keys import decrypt, encrypt


class EncryptedText(TypeDecorator):
    """Text sealed with the current data key when written, opened when read.

    Legacy plaintext (rows written before encryption) reads as it is. Every write uses a new
    random nonce, so the column cannot be searched, sorted or compared in SQL: filter in
    Python, or keep a keyed-hash column beside it for exact lookups.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return encrypt(str(value))

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON document sealed as EncryptedText; legacy rows hold the plain JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        # A PostgreSQL JSON column read before the migration's change arrives parsed already.
        if not isinstance(value, str):
            return value
        return json.loads(decrypt(value))
