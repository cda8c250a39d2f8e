"""PostPost (`api.postpost.dev`), TikTok only, at `/compat/postpost` with its `x-api-key`."""

from __future__ import annotations

from tikpost.compat.postpost.errors import error_body
from tikpost.compat.postpost.routes import router
from tikpost.compat.vendor import ONE_STRING_ERROR, Vendor

POSTPOST = Vendor("postpost", "PostPost compatibility", router, error_body, ONE_STRING_ERROR)
