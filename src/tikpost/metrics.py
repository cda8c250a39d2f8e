"""Prometheus metrics at `/metrics`: requests, TikTok calls, upload bytes, posts, deliveries.

Counters are updated where things happen (HTTP middleware, the TikTok clients' httpx hooks,
the uploader); the posts-by-status and webhook-delivery gauges are counted from the database at
scrape time, so they are right across every process sharing it. It reads domains and TikTok's
codes, so it sits beside the app that mounts it, not in kit.

Every label value that comes from outside (the method a client sends, a status or error code
TikTok answers) is folded into a closed set, anything else counting as `other`: a series lives
for as long as the process, so an open label set is a memory leak anyone can drive.
"""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import Any

import httpx
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tikpost.kit.db import Database
from tikpost.posts import repository as posts_repository
from tikpost.posts.statuses import POST_STATUSES
from tikpost.tiktok import oauth, posting
from tikpost.tiktok.errors import OAUTH_ERRORS, POSTING_ERRORS
from tikpost.webhooks import repository as webhooks_repository

OTHER = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUSES = frozenset(str(status.value) for status in HTTPStatus)
TIKTOK_ENDPOINTS = (
    oauth.TOKEN_PATH,
    oauth.REVOKE_PATH,
    posting.USER_INFO_PATH,
    posting.CREATOR_INFO_PATH,
    posting.VIDEO_INIT_PATH,
    posting.INBOX_VIDEO_INIT_PATH,
    posting.CONTENT_INIT_PATH,
    posting.STATUS_PATH,
    posting.CANCEL_PATH,
)
TIKTOK_CODES = frozenset({"", "ok", *POSTING_ERRORS, *OAUTH_ERRORS})

HTTP_REQUESTS = Counter(
    "tikpost_http_requests_total", "API requests answered.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram("tikpost_http_request_seconds", "API request latency.", ["route"])
TIKTOK_CALLS = Counter(
    "tikpost_tiktok_requests_total",
    "Requests to TikTok (or the sandbox) by endpoint and TikTok's error code.",
    ["endpoint", "status", "code"],
)
TIKTOK_SECONDS = Histogram(
    "tikpost_tiktok_request_seconds", "TikTok request latency.", ["endpoint"]
)
UPLOAD_BYTES = Counter("tikpost_upload_bytes_total", "Video bytes uploaded to TikTok.")
POSTS = Gauge("tikpost_posts", "Posts by status.", ["status"])
QUEUE_DEPTH = Gauge("tikpost_publish_queue_depth", "Posts waiting to publish (queued).")
DELIVERIES = Gauge("tikpost_webhook_deliveries", "Webhook deliveries by status.", ["status"])


class MetricsMiddleware:
    """Counts and times every request, to the last byte of its response.

    Plain ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs every
    `receive` of the body in a task group of its own, which in a py-spy profile of a 1 GB
    upload cost the event loop more than parsing and storing the upload together did.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before it starts a response

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            # The route's template, not the raw path: ids in paths would explode the label set.
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            HTTP_REQUESTS.labels(
                method_label(scope["method"]), template, status_label(status)
            ).inc()
            HTTP_SECONDS.labels(template).observe(time.perf_counter() - started)


def method_label(method: str) -> str:
    return method if method in METHODS else OTHER


def status_label(status: int) -> str:
    text = str(status)
    return text if text in STATUSES else OTHER


def tiktok_endpoint_label(request: httpx.Request) -> str:
    """The API endpoint called, whatever the base URL (the sandbox's sit under /sandbox); a
    chunk PUT goes to TikTok's own per-upload URL, so every PUT elsewhere is `upload`."""
    path = request.url.path
    for endpoint in TIKTOK_ENDPOINTS:
        if path.endswith(endpoint):
            return endpoint
    return "upload" if request.method == "PUT" else OTHER


def tiktok_code_label(code: str) -> str:
    return code if code in TIKTOK_CODES else OTHER


async def _on_tiktok_request(request: httpx.Request) -> None:
    request.extensions["tikpost_started"] = time.perf_counter()


async def _on_tiktok_response(response: httpx.Response) -> None:
    request = response.request
    endpoint = tiktok_endpoint_label(request)
    code = ""
    if response.headers.get("content-type", "").startswith("application/json"):
        await response.aread()
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error = body.get("error")
            code = str(error.get("code", "")) if isinstance(error, dict) else str(error or "")
    TIKTOK_CALLS.labels(endpoint, status_label(response.status_code), tiktok_code_label(code)).inc()
    if request.method == "PUT" and response.status_code in (201, 206):
        UPLOAD_BYTES.inc(int(request.headers.get("content-length", "0")))
    started = request.extensions.get("tikpost_started")
    if isinstance(started, float):
        TIKTOK_SECONDS.labels(endpoint).observe(time.perf_counter() - started)


TIKTOK_HOOKS: dict[str, list[Any]] = {
    "request": [_on_tiktok_request],
    "response": [_on_tiktok_response],
}


async def metrics_response(database: Database) -> Response:
    async with database.session() as session:
        posts = await posts_repository.count_by_status(session)
        deliveries = await webhooks_repository.count_by_status(session)
    for status in POST_STATUSES:
        POSTS.labels(status).set(posts.get(status, 0))
    QUEUE_DEPTH.set(posts.get("queued", 0))
    for delivery_status, count in deliveries.items():
        DELIVERIES.labels(delivery_status).set(count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
