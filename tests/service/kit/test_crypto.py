"""Token encryption, API key minting and signing."""

from __future__ import annotations

import pytest

from tikpost.kit.crypto import (
    DecryptionError,
    Signer,
    TokenCipher,
    generate_api_key,
    hash_api_key,
)


def test_tokens_round_trip_and_need_the_same_secret() -> None:
    cipher = TokenCipher("secret-one")
    stored = cipher.encrypt("act.example-access-token")
    assert "example-access-token" not in stored
    assert cipher.decrypt(stored) == "act.example-access-token"
    with pytest.raises(DecryptionError):
        TokenCipher("secret-two").decrypt(stored)


def test_api_keys_are_random_prefixed_and_hashed() -> None:
    first, second = generate_api_key(), generate_api_key()
    assert first.key.startswith("tp_")
    assert len(first.key) > 40
    assert first.key != second.key
    assert first.key.startswith(first.prefix)
    assert len(first.prefix) == 11
    assert first.key_hash == hash_api_key(first.key)
    assert first.key not in first.key_hash


def test_signer_rejects_tampering_and_other_purposes() -> None:
    signer = Signer("secret", "oauth-state")
    signed = signer.sign("team_1.nonce")
    assert signer.unsign(signed) == "team_1.nonce"
    assert signer.unsign(signed[:-1] + ("A" if signed[-1] != "A" else "B")) is None
    assert signer.unsign("team_2.nonce." + signed.rsplit(".", 1)[1]) is None
    assert signer.unsign("no-signature") is None
    assert Signer("secret", "media-link").unsign(signed) is None
    assert Signer("other-secret", "oauth-state").unsign(signed) is None
