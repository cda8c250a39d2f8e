"""The service's ASGI app: routers, the JSON error shape, migrations on start, and (without
TikTok credentials) the TikTok sandbox mounted at /sandbox so everything works offline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.applications import Starlette

from tikpost import __version__, migrations
from tikpost.accounts.endpoints import router as accounts_router
from tikpost.accounts.oauth import (
    BUSINESS_CALLBACK_PATH,
    EMBEDDED_SANDBOX_BUSINESS_CLIENT_ID,
    EMBEDDED_SANDBOX_CLIENT_KEY,
    business_app_for,
    embedded_sandbox_secret,
    tiktok_app_for,
)
from tikpost.accounts.tokens import TokenSource
from tikpost.compat.vendor import body_refusal, install_compat
from tikpost.compat.vendors import VENDORS
from tikpost.dashboard.router import install_dashboard
from tikpost.kit import logs
from tikpost.kit.body_limit import BodyLimitMiddleware
from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import Database
from tikpost.kit.errors import install_error_handlers
from tikpost.kit.openapi import document_errors
from tikpost.kit.ratelimit import ApiRateLimiter
from tikpost.kit.url_guard import UrlGuard
from tikpost.media.endpoints import router as media_router
from tikpost.media.links import PATH_PREFIX as MEDIA_LINK_PREFIX
from tikpost.media.links import router as media_links_router
from tikpost.media.storage import Storage, storage_from_url
from tikpost.metrics import TIKTOK_HOOKS, MetricsMiddleware, metrics_response
from tikpost.posts.endpoints import router as posts_router
from tikpost.posts.tiktok_events import router as tiktok_events_router
from tikpost.runtime.worker import create_runtime
from tikpost.settings import Settings
from tikpost.state import AppState, app_state
from tikpost.teams.endpoints import router as teams_router
from tikpost.tiktok.base import new_client
from tikpost.webhooks.endpoints import router as webhooks_router

if TYPE_CHECKING:
    from tikpost.sandbox.config import SandboxConfig

logger = logging.getLogger("tikpost")

SANDBOX_PATH = "/sandbox"
MAX_JSON_BODY = 1024 * 1024
# Streamed to storage under their own cap (max_media_bytes, 413 media_too_large).
# The dashboard composer's upload streams like /v1/media (dashboard/pages/composer_media.py).
STREAMED_UPLOADS = frozenset(
    # tikapis' one request per video carries the file (compat/tikapis/posting.py).
    {"/v1/media", "/v1/media/zip", "/compose/media", "/compat/tikapis/v1/tiktok/posts"}
)
# Presigned PUTs (media/upload_slots.py): the raw body is the file, streamed the same way.
STREAMED_PREFIXES = (f"{SANDBOX_PATH}/", "/v1/uploads/")
OAUTH_CALLBACK_PATH = "/v1/oauth/tiktok/callback"


def create_app(settings: Settings) -> FastAPI:
    """Build the service for these settings.

    Serving it also runs this process's workflow runtime (DBOS, a process-wide singleton): one
    running app per process. Tests start services one after another, never two at once.
    """
    logs.install_redaction()
    database = Database(settings.database_url)
    # The metrics observe every TikTok call: the server's, through its one pooled client, and
    # the workflow steps', through the clients they make on DBOS's loop.
    runtime = create_runtime(settings, http_hooks=TIKTOK_HOOKS)
    tiktok_http = new_client(30.0, TIKTOK_HOOKS)
    sandbox_app, sandbox_config = (
        _create_sandbox(settings) if settings.sandbox_mode else (None, None)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Alembic is synchronous: run it off the event loop, before any request is served.
        await asyncio.to_thread(migrations.upgrade, settings.database_url)
        async with AsyncExitStack() as stack:
            stack.push_async_callback(database.dispose)
            stack.push_async_callback(tiktok_http.aclose)
            if sandbox_app is not None:
                # Starlette runs only the outer app's lifespan; mounted apps need theirs run here.
                await stack.enter_async_context(sandbox_app.router.lifespan_context(sandbox_app))
            # Last in, first out: workflows resume only once everything they use is up, and
            # stop before it goes away.
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            yield

    app = FastAPI(
        title="tikpost",
        version=__version__,
        summary="Publish videos and photo carousels to TikTok through the Content Posting API.",
        lifespan=lifespan,
        docs_url="/docs",
    )
    # In sandbox mode the TikTok client must use the emulated app's client key and secret.
    tiktok = tiktok_app_for(settings, TIKTOK_HOOKS, tiktok_http)
    business = business_app_for(settings, TIKTOK_HOOKS, tiktok_http)
    cipher = TokenCipher(settings.secret_key.get_secret_value())
    app.state.tikpost = AppState(
        settings=settings,
        database=database,
        workflows=runtime,
        storage=storage_from_url(settings.storage_url, settings),
        tiktok=tiktok,
        tokens=TokenSource(database, cipher, tiktok, business),
        rate_limiter=ApiRateLimiter(settings.api_rate_limit, settings.rate_limit_storage_url),
        url_guard=UrlGuard(allow_private=settings.allow_private_urls),
        sandbox_config=sandbox_config,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=MAX_JSON_BODY,
        # The mounted sandbox is TikTok's side: its upload URL takes chunks of up to 128 MB.
        exempt=lambda scope: (
            scope["path"] in STREAMED_UPLOADS or scope["path"].startswith(STREAMED_PREFIXES)
        ),
        refusal=body_refusal(VENDORS),
    )
    # Outside the cap, so a refused body is counted too.
    app.add_middleware(MetricsMiddleware)

    # First: a load balancer's probe finds them without building the routes below.
    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, Any]:
        """Liveness for load balancers and `docker run --health-cmd`; says which TikTok."""
        return {"status": "ok", "version": __version__, "sandbox_mode": settings.sandbox_mode}

    @app.get("/metrics", tags=["ops"], response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics (text format); counts only, no secrets."""
        return await metrics_response(database)

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers and the media storage is reachable."""
        storage = app_state(request).storage
        checks = {
            "database": await _database_ready(database),
            "storage": await _storage_ready(storage),
        }
        ready = all(checks.values())
        body = {"status": "ready" if ready else "unavailable", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    app.include_router(teams_router)
    app.include_router(media_router)
    app.include_router(media_links_router)
    app.include_router(accounts_router)
    app.include_router(webhooks_router)
    app.include_router(posts_router)
    app.include_router(tiktok_events_router)
    # Before the dashboard and the vendors' routes: FastAPI builds each included router's
    # routes on the first request that has to look through it, so a call to the emulator
    # (or the API above) leaves the larger part of the app unbuilt until it is asked for.
    if sandbox_app is not None:
        app.mount(SANDBOX_PATH, sandbox_app, name="sandbox")
    # The web UI at / (and its assets at /static); outside the OpenAPI schema.
    install_dashboard(app)
    install_compat(app, VENDORS)

    document_errors(
        app, {v.prefix: (f"{v.name.capitalize()}Error", v.error_schema) for v in VENDORS}
    )
    return app


def _create_sandbox(settings: Settings) -> tuple[Starlette, SandboxConfig]:
    """The emulator, pre-registered with this service's OAuth callback; imported lazily so a
    production install never loads it."""
    from tikpost.sandbox.app import create_app as create_sandbox_app
    from tikpost.sandbox.business.config import BusinessConfig
    from tikpost.sandbox.config import SandboxConfig

    config = SandboxConfig(
        business=BusinessConfig(
            client_id=EMBEDDED_SANDBOX_BUSINESS_CLIENT_ID,
            client_secret=embedded_sandbox_secret(settings, "business-secret"),
            redirect_uris=[f"{settings.public_url}{BUSINESS_CALLBACK_PATH}"],
        ),
        client_key=EMBEDDED_SANDBOX_CLIENT_KEY,
        client_secret=embedded_sandbox_secret(settings),
        redirect_uris=[f"{settings.public_url}{OAUTH_CALLBACK_PATH}"],
        webhook_url=f"{settings.public_url}/v1/tiktok/webhook",
        # What a user verifies with TikTok for pull-from-URL: the signed media links.
        verified_url_prefixes=[f"{settings.public_url}{MEDIA_LINK_PREFIX}"],
    )
    logger.warning(
        "SANDBOX MODE: no TikTok credentials set (TIKPOST_TIKTOK_CLIENT_KEY/_CLIENT_SECRET); "
        "TikTok is emulated at %s%s and nothing is posted to real TikTok",
        settings.public_url,
        SANDBOX_PATH,
    )
    return create_sandbox_app(config), config


async def _database_ready(database: Database) -> bool:
    try:
        await database.ping()
    except Exception:  # any failure means "not ready", which is the answer wanted
        logger.warning("readiness: the database did not answer", exc_info=True)
        return False
    return True


async def _storage_ready(storage: Storage) -> bool:
    try:
        await storage.exists("readyz-probe")
    except Exception:
        logger.warning("readiness: the media storage did not answer", exc_info=True)
        return False
    return True
