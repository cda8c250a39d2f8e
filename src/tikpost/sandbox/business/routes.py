"""The Business API's routers, for the sandbox app to include in one place."""

from __future__ import annotations

from fastapi import APIRouter

from tikpost.sandbox.business import auth, consent, operator, publish, queries

# `consent` shares Login Kit's path: it must be included before `sandbox.oauth`'s router.
FIRST: tuple[APIRouter, ...] = (consent.router,)
ROUTERS: tuple[APIRouter, ...] = (auth.router, publish.router, queries.router, operator.router)
