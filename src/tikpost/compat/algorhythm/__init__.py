"""Algorhythm's farm profiles (`docs.algorhythm.app`), served at `/compat/algorhythm`.

Its clients send `X-API-Key` and a JSON post (a `media_url` to a video or a zip of slides) and
read FastAPI-style `{"detail": …}` errors; tikpost fetches the media through its SSRF guard
and posts it through its own intake, to the creator's inbox (draft) or live.
"""

from __future__ import annotations

from tikpost.compat.algorhythm.routes import router
from tikpost.compat.algorhythm.translate import error_body
from tikpost.compat.vendor import Vendor

# FastAPI's own shape: a message, or (422) the list of {loc, msg, type}.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["loc", "msg", "type"],
                        "properties": {
                            "loc": {"type": "array", "items": {"type": "string"}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
            ]
        }
    },
}
ALGORHYTHM = Vendor("algorhythm", "Algorhythm farm profiles", router, error_body, ERROR_SCHEMA)
