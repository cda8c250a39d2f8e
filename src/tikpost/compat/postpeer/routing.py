"""PostPeer's statuses and field names on tikpost's errors.

PostPeer documents 400 for every request it cannot take, where tikpost answers 422; and its
clients know its field names (`scheduledFor`), not tikpost's (`scheduled_at`). The errors
themselves are decided by tikpost's own handlers and services; this only renames them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from tikpost.kit.errors import ApiError

# tikpost's field → the PostPeer field a client sent it as.
FIELDS = {
    "account_id": "platforms.accountId",
    "title": "content",
    "description": "content",
    "video": "mediaItems",
    "video_url": "mediaItems",
    "photos": "mediaItems",
    "scheduled_at": "scheduledFor",
    "privacy_level": "platformSpecificData.privacyLevel",
    "disable_comment": "platformSpecificData.disableComment",
    "disable_duet": "platformSpecificData.disableDuet",
    "disable_stitch": "platformSpecificData.disableStitch",
    "brand_content_toggle": "platformSpecificData.brandContentToggle",
    "brand_organic_toggle": "platformSpecificData.brandOrganicToggle",
    "video_cover_timestamp_ms": "platformSpecificData.videoCoverTimestampMs",
    "photo_cover_index": "platformSpecificData.photoCoverIndex",
    "redirect_uri": "redirectUri",
    "cancel_redirect_uri": "cancelRedirectUri",
}


def error_body(status: int, code: str, message: str, field: str | None) -> dict[str, Any]:
    """`{"success": false, "error": …}` as PostPeer's answers start, plus tikpost's code."""
    if field is not None:
        head, _, rest = field.partition(".")
        field = FIELDS.get(field) or (f"mediaItems.{rest}" if head == "photos" else field)
    return {"success": False, "error": message, "code": code, "field": field}


class PostPeerRoute(APIRoute):
    """A route whose 422 answers are PostPeer's 400s (404s for ids not found)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                # The app's own handler words it (reshaped by the compat frame); 400, not 422.
                answer = request.app.exception_handlers[RequestValidationError]
                response: Response = await answer(request, exc)
                response.status_code = 400
                return response
            except ApiError as exc:
                if exc.status != 422:
                    raise
                # An id in the body that is not the team's (an account, a media) is a 404.
                status = 404 if exc.code.endswith("_not_found") else 400
                raise ApiError(
                    status, exc.code, exc.message, exc.field, exc.headers, exc.details
                ) from exc

        return handle
