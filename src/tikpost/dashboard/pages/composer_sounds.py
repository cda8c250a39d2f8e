"""The composer's sound picker: a business account's trending clips, as an htmx fragment.

The list is GET /v1/accounts/{id}/sounds's own service, read live on every search (TikTok's
trending list changes daily, and has no search of its own: the service filters by `q`). What
TikTok refuses is shown in the picker, not as a page, so the rest of the composer stays usable.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from tikpost.accounts import service as accounts
from tikpost.accounts.schemas import SoundRead, TrendingQuery
from tikpost.dashboard.business import GENRES, clip_length
from tikpost.dashboard.pages.composer_view import PATH
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.dashboard.templates import render
from tikpost.deps import DatabaseDep, TokensDep
from tikpost.kit.errors import ApiError

router = page_router()
SOUNDS_PATH = PATH + "/sounds"
CLIP_KINDS = {"trending": "trending part", "full": "full track"}
GENRE_CODES = frozenset(code for code, _label in GENRES)


def _shown(sound: SoundRead) -> dict[str, Any]:
    return {
        "sound": sound,
        "length": clip_length(sound.duration_sec),
        "kind": CLIP_KINDS.get(sound.clip, sound.clip),
    }


@router.get(SOUNDS_PATH, response_class=HTMLResponse)
async def sounds(
    request: Request,
    signed: SignedInDep,
    database: DatabaseDep,
    tokens: TokensDep,
    account: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    genre: Annotated[str, Query(max_length=40)] = "ALL",
) -> Response:
    """The clips matching `q` (name or artist) in `genre`; another team's account is a 404."""
    chosen_genre = genre if genre in GENRE_CODES else "ALL"
    context: dict[str, Any] = {"q": q, "genre": chosen_genre, "sounds": [], "error": None}
    try:
        found = await accounts.sounds(
            database, tokens, signed.team, account, TrendingQuery(genre=chosen_genre), q or None
        )
    except ApiError as exc:
        if exc.status == 404:
            raise
        context["error"] = exc.message
    else:
        context["sounds"] = [_shown(sound) for sound in found.items]
    return render(request, "composer_sounds.html", context, signed=signed)
