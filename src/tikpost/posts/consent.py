"""How the creator's consent to a post was given, stored on the post as its proof.

TikTok's guidelines let nothing go to TikTok until a person expressly agrees. A post made with
an API key carries that key's word (the caller's own UI or pipeline asked); a post made in the
dashboard's composer, or approved in its review queue, carries the signed-in session's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ConsentKind = Literal["api_key", "dashboard"]


@dataclass(frozen=True)
class Consent:
    """`by` is the API key's id (`key_…`) or the dashboard session's id (`ses_…`), never a
    secret: both tables keep only hashes of what the caller presents."""

    kind: ConsentKind
    by: str

    @classmethod
    def api_key(cls, key_id: str) -> Consent:
        return cls("api_key", key_id)

    @classmethod
    def dashboard(cls, session_id: str) -> Consent:
        return cls("dashboard", session_id)
