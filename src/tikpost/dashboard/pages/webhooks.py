"""The team's webhook endpoints (add with the secret shown once, delete) and deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from tikpost.dashboard.flash import set_flash
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.dashboard.templates import render
from tikpost.deps import SessionDep, SettingsDep, UrlGuardDep
from tikpost.kit.errors import ApiError
from tikpost.kit.safe_fetch import require_allowed
from tikpost.webhooks import service
from tikpost.webhooks.schemas import EVENT_TYPES, EndpointCreate, EndpointCreated

router = page_router()
PATH = "/webhooks"
RECENT_DELIVERIES = 25


async def _page(
    request: Request,
    signed: SignedInDep,
    session: SessionDep,
    *,
    created: EndpointCreated | None = None,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    team_id = signed.team.id
    context = {
        "endpoints": await service.list_endpoints(session, team_id),
        "deliveries": await service.list_deliveries(session, team_id, limit=RECENT_DELIVERIES),
        "event_types": EVENT_TYPES,
        "created": created,
        "error": error,
        "form": form or {"url": "", "description": "", "events": []},
    }
    return render(request, "webhooks.html", context, signed=signed, status=status)


@router.get(PATH, response_class=HTMLResponse)
async def webhooks_page(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    return await _page(request, signed, session)


@router.post(PATH, response_class=HTMLResponse)
async def add_endpoint(
    request: Request,
    signed: SignedInDep,
    session: SessionDep,
    settings: SettingsDep,
    guard: UrlGuardDep,
    url: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    events: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The API's checks and service (EndpointCreate, require_allowed, create_endpoint); the
    page itself answers, so the secret never leaves this response."""
    form = {"url": url, "description": description, "events": events or []}
    try:
        body = EndpointCreate.model_validate(
            {"url": url, "description": description or None, "events": events or []}
        )
        await require_allowed(body.url, guard, "url")
    except ValidationError as invalid:
        message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in invalid.errors())
        return await _page(request, signed, session, error=message, form=form, status=422)
    except ApiError as refused:
        return await _page(request, signed, session, error=refused.message, form=form, status=422)
    secret_key = settings.secret_key.get_secret_value()
    created = await service.create_endpoint(session, secret_key, signed.team.id, body)
    return await _page(request, signed, session, created=created)


@router.post(f"{PATH}/{{endpoint_id}}/delete")
async def delete_endpoint(
    endpoint_id: str, signed: SignedInDep, session: SessionDep, settings: SettingsDep
) -> Response:
    endpoint = await service.get_endpoint(session, signed.team.id, endpoint_id)
    await service.delete_endpoint(session, signed.team.id, endpoint_id)
    response = RedirectResponse(PATH, status_code=303)
    set_flash(response, settings, f"Endpoint {endpoint.url} is deleted.")
    return response


@router.get(f"{PATH}/deliveries/{{delivery_id}}", response_class=HTMLResponse)
async def delivery_page(
    request: Request, delivery_id: str, signed: SignedInDep, session: SessionDep
) -> Response:
    delivery = await service.get_delivery(session, signed.team.id, delivery_id)
    return render(request, "delivery.html", {"delivery": delivery}, signed=signed)
