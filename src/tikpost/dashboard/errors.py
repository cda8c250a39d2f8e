"""How the dashboard answers what goes wrong: pages and redirects, never the API's JSON.

A dashboard route raises what the API's routes raise (`ApiError` from a service: another
team's account is a 404 here too); `check_csrf` marks the request as the dashboard's, and the
handlers installed here render those as pages, passing every other request on to the API's
JSON handler unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from tikpost.dashboard.csrf import CsrfRefusedError
from tikpost.dashboard.sessions import SignedIn, SignInRequiredError, signed_in
from tikpost.dashboard.templates import render
from tikpost.kit.errors import ApiError
from tikpost.state import app_state

Handler = Callable[[Request, Exception], Awaitable[Response]]
Fallback = Callable[[Request, Any], Response | Awaitable[Response]]


def _is_dashboard(request: Request) -> bool:
    return bool(getattr(request.state, "dashboard", False))


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    target = "/sign-in"
    if request.method == "GET" and not _htmx(request):
        target += f"?next={quote(request.url.path, safe='/')}"
    if _htmx(request):
        # htmx would swap a redirect's page into a fragment; this makes it navigate instead.
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _csrf_refused(request: Request, _exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        {
            "title": "Request refused",
            "message": "This form has expired or did not come from this dashboard. "
            "Go back, reload the page and try again.",
            "code": "csrf_failed",
        },
        status=403,
    )


async def _signed_or_none(request: Request) -> SignedIn | None:
    """Who is looking at the error, so the page keeps its nav (None when nobody is)."""
    try:
        return await signed_in(request, app_state(request))
    except SignInRequiredError:
        return None


def _api_error(fallback: Fallback | None) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if not _is_dashboard(request) and fallback is not None:
            answer = fallback(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        assert isinstance(exc, ApiError)
        title = "Not found" if exc.status == 404 else "Something went wrong"
        context = {"title": title, "message": exc.message, "code": exc.code}
        signed = await _signed_or_none(request)
        return render(request, "error.html", context, signed=signed, status=exc.status)

    return handle


def install_error_pages(app: FastAPI) -> None:
    """After `install_error_handlers`: the dashboard's ApiError pages wrap the API's handler."""
    fallback = app.exception_handlers.get(ApiError)
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    app.add_exception_handler(CsrfRefusedError, _csrf_refused)
    app.add_exception_handler(ApiError, _api_error(fallback))
