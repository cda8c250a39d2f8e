"""The answer's side of `Idempotency-Key`: a repeat that changed nothing says so."""

from __future__ import annotations

from fastapi import Response

REPLAYED_HEADER = "Idempotent-Replayed"


def mark_replayed(response: Response, replayed: bool) -> None:
    """Tell the client this answer is an earlier request's, replayed under its key."""
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
