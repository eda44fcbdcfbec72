"""Sealing short-lived secrets at rest: AES-256-GCM with a key derived from SECRET_KEY.

Used for what must wait in the database for a moment but must never be readable there: the
login slips of a background account issuance hold initial passwords until the staff member
downloads them. The key is derived per purpose (HKDF), so a sealed blob of one purpose cannot
be opened as another; rotating SECRET_KEY makes every sealed blob unreadable, which for these
short-lived files is the intent.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class SealError(Exception):
    """The blob was changed, or sealed with another key or purpose."""


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret
    )


def seal(data: bytes, purpose: str) -> bytes:
    """Encrypt and authenticate `data` for `purpose`."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(purpose)).encrypt(nonce, data, purpose.encode())


def unseal(blob: bytes, purpose: str) -> bytes:
    """The data `seal` was given, or SealError."""
    try:
        return AESGCM(_key(purpose)).decrypt(blob[:12], blob[12:], purpose.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealError(str(exc)) from None
