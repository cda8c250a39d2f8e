"""The router every dashboard page module builds its routes on."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tikpost.dashboard.csrf import check_csrf


def page_router() -> APIRouter:
    """Out of the OpenAPI schema (the API is /v1), and CSRF-checked on every unsafe method."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
