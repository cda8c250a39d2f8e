"""Secrets handling: tokens encrypted at rest, API keys stored as hashes, signed values.

Everything derives from the one `secret_key` setting, with a separate HKDF-derived key per
purpose, so a key leaked from one use (say, a signed media link) says nothing about another
(the token encryption key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

API_KEY_PREFIX = "tp_"
# "tp_" plus 8 random characters: enough to tell keys apart in a list, useless for guessing.
DISPLAY_PREFIX_LENGTH = len(API_KEY_PREFIX) + 8


def derive_key(secret_key: str, purpose: str, length: int = 32) -> bytes:
    """A key for one purpose; the purpose string is part of the derivation, so keep it fixed."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode())
    return hkdf.derive(secret_key.encode())


class DecryptionError(Exception):
    """The ciphertext was not made with this secret key (changed key or corrupted row)."""


class TokenCipher:
    """Encrypts TikTok tokens for storage: a stolen database alone must not post as anyone."""

    def __init__(self, secret_key: str) -> None:
        key = base64.urlsafe_b64encode(derive_key(secret_key, "tikpost/tokens/v1"))
        self._fernet = Fernet(key)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored token cannot be decrypted with this secret key") from exc


@dataclass(frozen=True)
class NewApiKey:
    """A freshly minted key: `key` is shown once; only `prefix` and `key_hash` are stored."""

    key: str
    prefix: str
    key_hash: str


def hash_api_key(key: str) -> str:
    """SHA-256 is enough here: keys carry 256 random bits, so there is nothing to brute-force,
    and a fast hash lets every request look its key up by an indexed equality."""
    return hashlib.sha256(key.encode()).hexdigest()


def generate_api_key() -> NewApiKey:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return NewApiKey(key=key, prefix=key[:DISPLAY_PREFIX_LENGTH], key_hash=hash_api_key(key))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Signer:
    """HMAC-SHA256 signatures for values that round-trip through browsers or TikTok.

    Used for OAuth `state` and signed media links: the server can recognise its own values
    without storing them first, and a tampered value is rejected in constant time.
    """

    def __init__(self, secret_key: str, purpose: str) -> None:
        self._key = derive_key(secret_key, f"tikpost/sign/{purpose}")

    def signature(self, value: str) -> str:
        return _b64(hmac.new(self._key, value.encode(), hashlib.sha256).digest())

    def verify(self, value: str, signature: str) -> bool:
        # As bytes: compare_digest refuses non-ASCII str, and a forged signature may be any text.
        return hmac.compare_digest(self.signature(value).encode(), signature.encode())

    def sign(self, value: str) -> str:
        """`value.signature`; `unsign` splits at the last dot, so `value` may contain dots."""
        return f"{value}.{self.signature(value)}"

    def unsign(self, signed: str) -> str | None:
        """The original value, or None if `signed` was not produced by `sign` with this key."""
        value, dot, signature = signed.rpartition(".")
        if not dot or not self.verify(value, signature):
            return None
        return value


def sha256_hex(value: str) -> str:
    """For looking up single-use secrets (OAuth state nonces) without storing them."""
    return hashlib.sha256(value.encode()).hexdigest()


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
