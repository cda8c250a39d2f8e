"""Webhooks in a compat vendor's own payload shape, declared on the post's timeline.

A vendor's clients expect their vendor's body (Algorhythm's `{event, phone_id, post_url}`),
not tikpost's event envelope. The vendor's route says so as data in a timeline line, written in
the post's own transaction (`intake.accept_post(notes=…)`), so the publish workflow, in
whatever process it runs, needs no vendor code: it copies fixed values and fields of the post.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tikpost.posts.schemas import PostRead

KEY = "shaped_webhook"


def declare(
    url: str, event_type: str, fixed: Mapping[str, Any], fields: Mapping[str, str]
) -> dict[str, Any]:
    """The timeline data asking for `fixed` plus {name: the post's field} at `event_type`."""
    return {KEY: {"url": url, "event": event_type, "fixed": dict(fixed), "fields": dict(fields)}}


def declared(post: PostRead, event_type: str) -> list[tuple[str, dict[str, Any]]]:
    """(url, body) of every shaped webhook the post's timeline asks for at `event_type`."""
    found: list[tuple[str, dict[str, Any]]] = []
    current = post.model_dump(mode="json")
    for event in post.events:
        spec = event.data.get(KEY)
        if not isinstance(spec, dict) or spec.get("event") != event_type:
            continue
        body = dict(spec.get("fixed") or {})
        body.update({name: current.get(source) for name, source in spec["fields"].items()})
        found.append((str(spec["url"]), body))
    return found
