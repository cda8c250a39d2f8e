"""PostPeer's unified posting API, its TikTok subset, at `/compat/postpeer` (key header
`x-access-key`): a thin translation into tikpost's own services."""

from __future__ import annotations

from fastapi import APIRouter

from tikpost.compat.postpeer import accounts_routes, media_routes, posts_routes
from tikpost.compat.postpeer.routing import error_body
from tikpost.compat.vendor import Vendor

_router = APIRouter()
_router.include_router(accounts_routes.router)
_router.include_router(media_routes.router)
_router.include_router(posts_routes.router)

# PostPeer's `{"success": false, "error": …}`, with tikpost's code and field beside it.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["success", "error", "code"],
    "properties": {
        "success": {"type": "boolean"},
        "error": {"type": "string"},
        "code": {"type": "string"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
}
VENDOR = Vendor(
    name="postpeer",
    title="PostPeer compatibility",
    router=_router,
    error_body=error_body,
    error_schema=ERROR_SCHEMA,
)
