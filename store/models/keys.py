"""The keys that encrypt personal data at rest, and the AES-GCM envelope they seal it in.

A stored value reads `v1:<key-id>:<base64(nonce | ciphertext | tag)>`. STORE_DATA_KEYS lists
`id:base64key` pairs, comma-separated: the first encrypts, every one decrypts, so a new key goes
first and the old ones stay until `flask keys rotate` has re-encrypted every row. Without it
(development and tests only: production refuses to start) one key is derived from SECRET_KEY.
The keys are read from the current app's configuration when a value is bound or loaded, so
the CLI and the outbox worker use them as requests do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

PREFIX = "v1"
NONCE_BYTES = 12  # 96 bits, random per value
DERIVED_KEY_ID = "dev"


class DataKeyError(ValueError):
    """A data key is malformed, missing, or cannot open a stored value."""


@dataclass(frozen=True)
class KeyRing:
    """The encrypting key's id and every key that may decrypt, by id."""

    current: str
    keys: dict[str, bytes]


def parse_keys(spec: str) -> KeyRing:
    """A key ring from "id1:base64key,id2:base64key" (AES keys of 16, 24 or 32 bytes)."""
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.isalnum() or key_id in keys:
            raise DataKeyError("STORE_DATA_KEYS entries are unique 'id:base64key' pairs "
                               "with a letters-and-digits id")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DataKeyError(f"STORE_DATA_KEYS key {key_id!r} is not base64") from exc
        if len(key) not in (16, 24, 32):
            raise DataKeyError(f"STORE_DATA_KEYS key {key_id!r} must be 16, 24 or 32 bytes")
        keys[key_id] = key
    if not keys:
        raise DataKeyError("STORE_DATA_KEYS holds no key")
    return KeyRing(current=next(iter(keys)), keys=keys)


def new_key_entry(key_id: str) -> str:
    """A fresh random 256-bit key as an `id:base64key` entry for STORE_DATA_KEYS."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def _derived(secret_key: str, label: bytes) -> bytes:
    return hmac.new(secret_key.encode(), label, hashlib.sha256).digest()


@lru_cache(maxsize=16)
def _ring(spec: str, secret_key: str) -> KeyRing:
    # Never the SECRET_KEY itself: the key that signs sessions does not also encrypt data.
    derived = _derived(secret_key, b"simplestore-data-key")
    if not spec.strip():
        return KeyRing(DERIVED_KEY_ID, {DERIVED_KEY_ID: derived})
    ring = parse_keys(spec)
    # The derived key still reads (never writes), so data sealed before STORE_DATA_KEYS was
    # set opens until `flask keys rotate` has moved it to the configured key.
    return KeyRing(ring.current, {DERIVED_KEY_ID: derived} | ring.keys)


def current_ring() -> KeyRing:
    """The key ring of the running app (STORE_DATA_KEYS, else derived from SECRET_KEY)."""
    config = current_app.config
    return _ring(config.get("STORE_DATA_KEYS") or "", str(config.get("SECRET_KEY") or ""))


def _header(key_id: str) -> str:
    return f"{PREFIX}:{key_id}:"


def is_encrypted(stored: str | None) -> bool:
    """True when a stored value is sealed (as opposed to legacy plaintext or NULL)."""
    return isinstance(stored, str) and stored.startswith(PREFIX + ":")


def key_id_of(stored: str) -> str | None:
    """The id of the key that sealed a stored value (None for legacy plaintext)."""
    if not is_encrypted(stored):
        return None
    return stored.split(":", 2)[1]


def encrypt(text: str, ring: KeyRing | None = None) -> str:
    """Seal text under the current key, with a fresh random nonce."""
    ring = ring or current_ring()
    header = _header(ring.current)
    nonce = os.urandom(NONCE_BYTES)
    # The header is authenticated too: a value cannot be relabelled with another key id.
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, text.encode(), header.encode())
    return header + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(stored: str, ring: KeyRing | None = None) -> str:
    """Open a sealed value; legacy plaintext (written before encryption) reads as it is."""
    if not is_encrypted(stored):
        return stored
    ring = ring or current_ring()
    _prefix, key_id, payload = stored.split(":", 2)
    key = ring.keys.get(key_id)
    if key is None:
        raise DataKeyError(f"no data key {key_id!r} in STORE_DATA_KEYS to read a stored value")
    try:
        raw = base64.b64decode(payload, validate=True)
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                    _header(key_id).encode())
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise DataKeyError(f"a stored value does not open with data key {key_id!r}") from exc
    return plain.decode()


def lookup_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256 with STORE_LOOKUP_KEY) for finding rows by an exact value."""
    config = current_app.config
    key = config.get("STORE_LOOKUP_KEY") or _derived(str(config.get("SECRET_KEY") or ""),
                                                     b"simplestore-lookup-key").hex()
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
