"""TikTok's Login Kit v2: the consent page, the token endpoint, revoke, and user info."""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tikpost.sandbox import accounts
from tikpost.sandbox.config import KNOWN_SCOPES
from tikpost.sandbox.errors import ApiError, OAuthError, api_response
from tikpost.sandbox.guard import authenticate, enforce_rate_limit, inject_fault, state_of
from tikpost.sandbox.state import AuthCode, SandboxState, Token

router = APIRouter()

AUTHORIZE_FIELDS = (
    "client_key",
    "scope",
    "redirect_uri",
    "state",
    "response_type",
    "code_challenge",
    "code_challenge_method",
)
USER_FIELD_SCOPES = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "username": "user.info.profile",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}


def _error_page(message: str) -> HTMLResponse:
    body = (
        "<!doctype html><title>TikTok sandbox</title>"
        f"<h1>Authorization error</h1><p>{escape(message)}</p>"
    )
    return HTMLResponse(body, status_code=400)


def _redirect(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    return RedirectResponse(f"{redirect_uri}?{urlencode(params)}", status_code=302)


def _check_authorize(state: SandboxState, params: dict[str, str]) -> Response | list[str]:
    """Errors we cannot redirect (bad client, bad redirect URI) get a page; others go back."""
    if params.get("client_key") != state.config.client_key:
        return _error_page("client_key is invalid.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in state.config.redirect_uris:
        return _error_page("redirect_uri is not registered for this app.")
    back = {"state": params.get("state", "")}
    if params.get("response_type") != "code":
        return _redirect(redirect_uri, {"error": "unsupported_response_type", **back})
    scopes = [s.strip() for s in params.get("scope", "").split(",") if s.strip()]
    if not scopes or not set(scopes) <= KNOWN_SCOPES:
        return _redirect(
            redirect_uri,
            {"error": "invalid_scope", "error_description": "The scope is invalid.", **back},
        )
    return scopes


@router.get("/v2/auth/authorize/", response_class=HTMLResponse)
async def authorize_page(request: Request) -> Response:
    state = state_of(request)
    params = dict(request.query_params)
    checked = _check_authorize(state, params)
    if isinstance(checked, Response):
        return checked
    return HTMLResponse(_consent_form(state, params, checked))


def _consent_form(state: SandboxState, params: dict[str, str], scopes: list[str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">'
        for name in AUTHORIZE_FIELDS
    )
    options = "".join(
        f'<option value="{escape(c.open_id)}">{escape(c.username)}</option>'
        for c in state.creators.values()
    )
    scope_boxes = "".join(
        f'<label><input type="checkbox" name="granted_scope" value="{escape(s)}" checked> '
        f"{escape(s)}</label><br>"
        for s in scopes
    )
    public_default = " checked" if state.config.audited else ""
    return f"""<!doctype html>
<html><head><title>TikTok sandbox: authorize</title></head>
<body>
<h1>Authorize app {escape(state.config.client_key)}</h1>
<form method="post" action="">
{hidden}
<input type="hidden" name="scope_choice" value="1">
<p><label>Existing creator: <select name="creator">
<option value="">(new creator)</option>{options}</select></label></p>
<p><label>or new username: <input name="username"></label>
<label><input type="checkbox" name="public" value="1"{public_default}> public account</label></p>
<fieldset><legend>Permissions</legend>{scope_boxes}</fieldset>
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
</body></html>"""


@router.post("/v2/auth/authorize/")
async def authorize_decision(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()
    params = {name: str(form.get(name, "")) for name in AUTHORIZE_FIELDS}
    checked = _check_authorize(state, params)
    if isinstance(checked, Response):
        return checked
    back = {"state": params["state"]}
    if form.get("decision") != "approve":
        return _redirect(
            params["redirect_uri"],
            {"error": "access_denied", "error_description": "The user denied the request.", **back},
        )
    creator = state.creators.get(str(form.get("creator", "")))
    username = str(form.get("username", "")).strip()
    if creator is None and username:
        creator = state.find_creator_by_username(username) or accounts.create_creator(
            state, username, public=form.get("public") == "1"
        )
    if creator is None:
        return _error_page("Pick a creator or name a new one.")
    granted = _granted_scopes(form, checked)
    code = AuthCode(
        value=state.token_string("", 48),
        open_id=creator.open_id,
        scopes=frozenset(granted),
        redirect_uri=params["redirect_uri"],
        expires_at=state.clock.now() + state.config.auth_code_ttl_sec,
        code_challenge=params["code_challenge"] or None,
    )
    state.codes[code.value] = code
    return _redirect(
        params["redirect_uri"], {"code": code.value, "scopes": ",".join(granted), **back}
    )


def _granted_scopes(form: FormData, requested: list[str]) -> list[str]:
    """Toggleable scopes may be unticked; `user.info.basic` is always granted when asked for."""
    if form.get("scope_choice") != "1":
        return requested
    ticked = {str(value) for value in form.getlist("granted_scope")}
    return [s for s in requested if s in ticked or s == "user.info.basic"]


async def _client_form(request: Request, state: SandboxState, endpoint: str) -> FormData:
    await inject_fault(state, endpoint)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise OAuthError("invalid_request", "The request parameters are malformed.")
    form = await request.form()
    if form.get("client_key") != state.config.client_key:
        raise OAuthError("invalid_client", "Client key is invalid.", 401)
    if form.get("client_secret") != state.config.client_secret:
        raise OAuthError("invalid_client", "Client secret is invalid.", 401)
    return form


@router.post("/v2/oauth/token/")
async def token(request: Request) -> JSONResponse:
    state = state_of(request)
    form = await _client_form(request, state, "oauth/token")
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return JSONResponse(_exchange_code(state, form))
    if grant_type == "refresh_token":
        return JSONResponse(_refresh(state, form))
    raise OAuthError("unsupported_grant_type", "The grant type is not supported.")


def _verifier_matches(challenge: str, verifier: str) -> bool:
    """TikTok's desktop docs use the hex SHA-256; RFC 7636 uses base64url. Accept either."""
    digest = hashlib.sha256(verifier.encode()).digest()
    as_base64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return challenge in (digest.hex(), as_base64)


def _exchange_code(state: SandboxState, form: FormData) -> dict[str, Any]:
    value = str(form.get("code", ""))
    if not value:
        raise OAuthError("invalid_request", "The request parameters are malformed.")
    code = state.codes.get(value)
    if code is None or code.used or state.clock.now() >= code.expires_at:
        raise OAuthError("invalid_grant", "Authorization code is expired or has been used.")
    if form.get("redirect_uri") != code.redirect_uri:
        raise OAuthError(
            "invalid_grant", "Redirect_uri is not matched with the uri when requesting code."
        )
    if code.code_challenge and not _verifier_matches(
        code.code_challenge, str(form.get("code_verifier", ""))
    ):
        raise OAuthError("invalid_grant", "Code verifier is invalid.")
    code.used = True
    return accounts.issue_tokens(state, code.open_id, code.scopes)


def _refresh(state: SandboxState, form: FormData) -> dict[str, Any]:
    current = state.tokens.get(str(form.get("refresh_token", "")))
    if current is None or current.kind != "refresh" or not current.usable(state.clock.now()):
        raise OAuthError("invalid_grant", "Refresh token is invalid or expired.")
    rotate = state.config.rotate_refresh_tokens
    current.revoked = rotate
    state.creators[current.open_id].refresh_count += 1
    scopes, grant = current.scopes, current.grant_id
    access = accounts.new_token(state, "access", current.open_id, scopes, grant)
    refresh = (
        accounts.new_token(state, "refresh", current.open_id, scopes, grant) if rotate else current
    )
    return accounts.token_response(state, access, refresh)


@router.post("/v2/oauth/revoke/")
async def revoke(request: Request) -> JSONResponse:
    state = state_of(request)
    form = await _client_form(request, state, "oauth/revoke")
    found: Token | None = state.tokens.get(str(form.get("token", "")))
    if not form.get("token"):
        raise OAuthError("invalid_request", "The request parameters are malformed.")
    if found is not None:
        accounts.deauthorize(state, found.open_id, accounts.DEVELOPER_REVOKED)
    return JSONResponse({})


@router.get("/v2/user/info/")
async def user_info(request: Request) -> JSONResponse:
    state = state_of(request)
    await inject_fault(state, "user/info")
    token_, creator = authenticate(request, state, "user.info.basic")
    enforce_rate_limit(state, token_, "user/info", state.config.rate_limits.user_info)
    fields = [f.strip() for f in request.query_params.get("fields", "").split(",") if f.strip()]
    if not fields or not set(fields) <= USER_FIELD_SCOPES.keys():
        raise ApiError(400, state.config.invalid_params_code, "The fields parameter is invalid.")
    if any(USER_FIELD_SCOPES[f] not in token_.scopes for f in fields):
        raise ApiError(
            401,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        )
    values: dict[str, Any] = {
        "open_id": creator.open_id,
        "union_id": creator.union_id,
        "avatar_url": creator.avatar_url,
        "avatar_url_100": creator.avatar_url,
        "avatar_large_url": creator.avatar_url,
        "display_name": creator.nickname,
        "username": creator.username,
        "bio_description": "",
        "profile_deep_link": f"https://vm.tiktok.com/sandbox/{creator.username}",
        "is_verified": False,
        "follower_count": 0,
        "following_count": 0,
        "likes_count": 0,
        "video_count": sum(
            1 for p in state.posts_of(creator.open_id) if p.status == "PUBLISH_COMPLETE"
        ),
    }
    return api_response({"user": {field: values[field] for field in fields}})
