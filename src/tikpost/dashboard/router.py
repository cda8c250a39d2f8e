"""The dashboard's one router and how the app mounts it (with its static files).

A new page: a module under `pages/` with `router = page_router()` (routing.py), its routes
taking `signed: SignedInDep` (sessions.py) and answering `render(...)` (templates.py); then
one `include_router` line below.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from tikpost.dashboard.errors import install_error_pages
from tikpost.dashboard.pages import (
    accounts,
    auth,
    calendar,
    composer,
    composer_media,
    composer_review,
    composer_sounds,
    keys,
    posts,
    review,
    webhooks,
)
from tikpost.dashboard.templates import STATIC_DIR, STATIC_PATH

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(accounts.router)
router.include_router(keys.router)
router.include_router(webhooks.router)
router.include_router(composer.router)
router.include_router(composer_media.router)
router.include_router(composer_review.router)
router.include_router(composer_sounds.router)
router.include_router(posts.router)
router.include_router(review.router)
router.include_router(calendar.router)


def install_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at `/` and its assets at /static; call after the API's error
    handlers are installed (the dashboard's error pages wrap them)."""
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="dashboard-static")
    install_error_pages(app)
