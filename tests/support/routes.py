"""The app's route table as tests sweep it: every API route, with its full path."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute


def api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    """(full path, route) for the APIRoutes, including those of included routers (FastAPI
    wraps them, and keeps their prefix, as for the compat vendors, beside them)."""
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            inner = prefix + getattr(route.include_context, "prefix", "")
            found += api_routes(route.original_router.routes, inner)
    return found
