"""The service's ASGI app: routers, the JSON error shape, migrations on start, and (without
TikTok credentials) the TikTok sandbox mounted at /sandbox so everything works offline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.applications import Starlette

from tikpost import __version__, migrations
from tikpost.accounts.endpoints import router as accounts_router
from tikpost.accounts.oauth import tiktok_app_for
from tikpost.accounts.tokens import TokenSource
from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import Database
from tikpost.kit.errors import install_error_handlers
from tikpost.settings import Settings
from tikpost.teams.endpoints import router as teams_router

if TYPE_CHECKING:
    from tikpost.sandbox.config import SandboxConfig

logger = logging.getLogger("tikpost")

SANDBOX_PATH = "/sandbox"
OAUTH_CALLBACK_PATH = "/v1/oauth/tiktok/callback"


def create_app(settings: Settings) -> FastAPI:
    """Build the service for these settings; nothing global, so tests can run several at once."""
    database = Database(settings.database_url)
    sandbox_app, sandbox_config = (
        _create_sandbox(settings) if settings.sandbox_mode else (None, None)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Alembic is synchronous: run it off the event loop, before any request is served.
        await asyncio.to_thread(migrations.upgrade, settings.database_url)
        async with AsyncExitStack() as stack:
            stack.push_async_callback(database.dispose)
            if sandbox_app is not None:
                # Starlette runs only the outer app's lifespan; mounted apps need theirs run here.
                await stack.enter_async_context(sandbox_app.router.lifespan_context(sandbox_app))
            yield

    app = FastAPI(
        title="tikpost",
        version=__version__,
        summary="Publish videos and photo carousels to TikTok through the Content Posting API.",
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.settings = settings
    app.state.db = database
    # In sandbox mode the TikTok client must use the emulated app's client key and secret.
    app.state.sandbox_config = sandbox_config
    tiktok = tiktok_app_for(
        settings,
        (sandbox_config.client_key, sandbox_config.client_secret) if sandbox_config else None,
    )
    app.state.tiktok_app = tiktok
    app.state.token_source = TokenSource(
        database, TokenCipher(settings.secret_key.get_secret_value()), tiktok
    )
    install_error_handlers(app)
    app.include_router(teams_router)
    app.include_router(accounts_router)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, Any]:
        """Liveness for load balancers and `docker run --health-cmd`; says which TikTok."""
        return {"status": "ok", "version": __version__, "sandbox_mode": settings.sandbox_mode}

    if sandbox_app is not None:
        app.mount(SANDBOX_PATH, sandbox_app, name="sandbox")
    return app


def _create_sandbox(settings: Settings) -> tuple[Starlette, SandboxConfig]:
    """The emulator, pre-registered with this service's OAuth callback; imported lazily so a
    production install never loads it."""
    from tikpost.sandbox.app import create_app as create_sandbox_app
    from tikpost.sandbox.config import SandboxConfig

    config = SandboxConfig(redirect_uris=[f"{settings.public_url}{OAUTH_CALLBACK_PATH}"])
    logger.warning(
        "SANDBOX MODE: no TikTok credentials set (TIKPOST_TIKTOK_CLIENT_KEY/_CLIENT_SECRET); "
        "TikTok is emulated at %s%s and nothing is posted to real TikTok",
        settings.public_url,
        SANDBOX_PATH,
    )
    return create_sandbox_app(config), config
