"""The Business API's routers, for the sandbox app to include in one place."""

from __future__ import annotations

from fastapi import APIRouter

from tikpost.sandbox.business import auth, operator, publish, queries

ROUTERS: tuple[APIRouter, ...] = (auth.router, publish.router, queries.router, operator.router)
