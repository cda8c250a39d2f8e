"""The sandbox ASGI app: TikTok's hosts (API, auth, upload) served as one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse

from tikpost.sandbox import oauth, operator, posting, upload
from tikpost.sandbox.business.envelope import BusinessError, error_response
from tikpost.sandbox.business.routes import FIRST as BUSINESS_FIRST
from tikpost.sandbox.business.routes import ROUTERS as BUSINESS_ROUTERS
from tikpost.sandbox.config import SandboxConfig
from tikpost.sandbox.errors import (
    ApiError,
    OAuthError,
    api_error_response,
    envelope,
    oauth_error_response,
)
from tikpost.sandbox.state import SandboxState


def create_app(config: SandboxConfig | None = None) -> FastAPI:
    """Build one emulated TikTok. State lives on the app, not in a lifespan, so mounting works."""
    settings = config or SandboxConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.sandbox.close()

    app = FastAPI(
        title="TikTok sandbox",
        description="An emulator of TikTok's Content Posting API, OAuth v2 and API for Business.",
        lifespan=lifespan,
    )
    app.state.sandbox = SandboxState(settings)
    for router in BUSINESS_FIRST:
        app.include_router(router)
    app.include_router(oauth.router)
    app.include_router(posting.router)
    app.include_router(upload.router)
    app.include_router(operator.router)
    for router in BUSINESS_ROUTERS:
        app.include_router(router)

    @app.exception_handler(ApiError)
    async def on_api_error(_: Request, exc: ApiError) -> JSONResponse:
        return api_error_response(exc)

    @app.exception_handler(BusinessError)
    async def on_business_error(_: Request, exc: BusinessError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(OAuthError)
    async def on_oauth_error(_: Request, exc: OAuthError) -> JSONResponse:
        return oauth_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith(f"{request.scope.get('root_path', '')}/v2/"):
            code = request.app.state.sandbox.config.invalid_params_code
            return JSONResponse(envelope({}, code, str(exc.errors())), status_code=400)
        # Without the offending `input` (and `ctx`): it may be what JSON cannot hold (inf, a
        # lone surrogate), and rendering it would turn a 422 into a 500.
        errors = [{key: error[key] for key in ("loc", "msg", "type")} for error in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    return app
