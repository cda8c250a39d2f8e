"""Exceptions DBOS recorded before `fencing` and `outage` moved into posts/publish/ still load.

DBOS's default serializer (py_pickle) stores what a step or workflow raised as a base64 pickle,
and a pickle names the class by its module path. A post waiting out a TikTok outage during the
upgrade replays its step's recorded `TikTokUnavailableError`; a superseded run's workflow ends
with `SupersededError` in DBOS's tables. These two records were written by the tikpost of
commit 992a56f (the classes at `tikpost.posts.outage` and `tikpost.posts.fencing`), so the
modules kept at the old paths are what lets them load.
"""

from __future__ import annotations

import base64
import pickle

from tikpost.posts.publish.fencing import SupersededError
from tikpost.posts.publish.outage import TikTokUnavailableError

# DBOS 3.4.0's DefaultSerializer.serialize(TikTokUnavailableError(
#     "TikTok answered 503 (internal_error)", 12.5, True)) and (SupersededError("post_123")).
OUTAGE_BEFORE_THE_MOVE = (
    "gASVaAAAAAAAAACMFHRpa3Bvc3QucG9zdHMub3V0YWdllIwWVGlrVG9rVW5hdmFpbGFibGVFcnJvcpSTlIwkVGlrVG9r"
    "IGFuc3dlcmVkIDUwMyAoaW50ZXJuYWxfZXJyb3IplEdAKQAAAAAAAIiHlFKULg=="
)
SUPERSEDED_BEFORE_THE_MOVE = (
    "gASVaAAAAAAAAACMFXRpa3Bvc3QucG9zdHMuZmVuY2luZ5SMD1N1cGVyc2VkZWRFcnJvcpSTlIw0cG9zdCBwb3N0XzEy"
    "MyBpcyBub3cgaGFuZGxlZCBieSBhbm90aGVyIHdvcmtmbG93IHJ1bpSFlFKULg=="
)


def _load(recorded: str) -> object:
    """What DBOS's DefaultSerializer.deserialize does with a recorded value."""
    return pickle.loads(base64.b64decode(recorded))


def test_a_recorded_tiktok_outage_loads_from_its_old_path() -> None:
    assert b"tikpost.posts.outage\x94" in base64.b64decode(OUTAGE_BEFORE_THE_MOVE)

    outage = _load(OUTAGE_BEFORE_THE_MOVE)

    assert isinstance(outage, TikTokUnavailableError)
    assert (outage.reason, outage.retry_after, outage.rate_limited) == (
        "TikTok answered 503 (internal_error)",
        12.5,
        True,
    )


def test_a_recorded_superseded_run_loads_from_its_old_path() -> None:
    assert b"tikpost.posts.fencing\x94" in base64.b64decode(SUPERSEDED_BEFORE_THE_MOVE)

    superseded = _load(SUPERSEDED_BEFORE_THE_MOVE)

    assert isinstance(superseded, SupersededError)
    assert "is now handled by another workflow run" in str(superseded)


def test_a_superseded_run_round_trips_with_its_message_once() -> None:
    loaded = pickle.loads(pickle.dumps(SupersededError("post_123")))

    assert str(loaded) == "post post_123 is now handled by another workflow run"
    assert loaded.post_id == "post_123"
