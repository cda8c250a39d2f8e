"""tikapis (`tikapis.vercel.app`): one multipart request per video, served at `/compat/tikapis`.

Its clients send `X-API-Key`, a multipart `videoFile` and `caption`, and read `{"error": "…"}`
bodies; tikpost streams the file into its own media store and posts it through its own intake.
"""

from __future__ import annotations

from tikpost.compat.tikapis.routes import router
from tikpost.compat.tikapis.translate import error_body
from tikpost.compat.vendor import ONE_STRING_ERROR, Vendor

TIKAPIS = Vendor("tikapis", "tikapis", router, error_body, ONE_STRING_ERROR)
