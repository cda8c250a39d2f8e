"""tikapis' routes: thin, the work is in `posting` and the mapping in `translate`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response

from tikpost.compat.auth import key_from_header
from tikpost.compat.tikapis import posting, translate
from tikpost.compat.tikapis.schemas import PostAccepted, PostState
from tikpost.deps import DatabaseDep
from tikpost.kit.errors import ApiError
from tikpost.kit.idempotency import mark_replayed
from tikpost.posts import service
from tikpost.posts.deps import IntakeDep
from tikpost.teams.service import Authenticated

router = APIRouter()
ApiKey = Annotated[Authenticated, Depends(key_from_header("X-API-Key"))]

# The body is parsed by hand (streamed), so describe it for /docs ourselves.
_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["videoFile"],
                    "properties": {
                        "videoFile": {"type": "string", "format": "binary"},
                        "caption": {"type": "string", "maxLength": translate.MAX_CAPTION},
                        "hashtags": {
                            "type": "string",
                            "description": "Comma or space separated; appended as #tags.",
                        },
                        "schedule": {
                            "type": "string",
                            "description": "RFC 3339 with a timezone, or a Unix epoch.",
                        },
                        "accountId": {
                            "type": "string",
                            "description": "tikpost's account id; only needed when the "
                            "team has several connected accounts.",
                        },
                    },
                }
            }
        },
    }
}


@router.post("/v1/tiktok/posts", status_code=202, response_model=PostAccepted, openapi_extra=_FORM)
async def create_post(
    key: ApiKey,
    intake: IntakeDep,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PostAccepted:
    """Upload a video (MP4, MOV, WebM or AVI, converted where TikTok needs it) and post it to
    the key's TikTok account at the account's default privacy; follow it with the GET."""
    with translate.vendor_statuses():
        answer, replayed = await posting.submit(request, key, intake, idempotency_key)
    mark_replayed(response, replayed)
    return answer


@router.get("/v1/tiktok/posts/{post_id}", response_model=PostState)
async def get_post(post_id: str, key: ApiKey, database: DatabaseDep) -> PostState:
    """The post's lifecycle: Pending, Processing, Published or Failed."""
    async with database.session() as session:
        try:
            post = await service.get_post(session, key.team, post_id)
        except ApiError as exc:
            raise ApiError(404, exc.code, "Post not found.", "postId") from None
        return translate.state(await service.read(session, post))
