"""The consent page for the Business API app: TikTok serves both apps' consent at the same
`/v2/auth/authorize/`, told apart by `client_key`, so this router is mounted before Login
Kit's and hands it every other app's requests unchanged."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tikpost.sandbox import oauth
from tikpost.sandbox.business import auth
from tikpost.sandbox.business.config import BUSINESS_SCOPES
from tikpost.sandbox.guard import state_of
from tikpost.sandbox.state import SandboxState

router = APIRouter()
FIELDS = ("client_key", "scope", "redirect_uri", "state", "response_type")


def _is_business(state: SandboxState, client_key: object) -> bool:
    return client_key == state.config.business.client_id


def _back(params: dict[str, str], query: dict[str, str]) -> RedirectResponse:
    query = {**query, "state": params.get("state", "")}
    return RedirectResponse(f"{params['redirect_uri']}?{urlencode(query)}", status_code=302)


def _checked(state: SandboxState, params: dict[str, str]) -> Response | list[str]:
    if params.get("redirect_uri", "") not in state.config.business.redirect_uris:
        body = "<!doctype html><h1>Authorization error</h1><p>redirect_uri is not registered.</p>"
        return HTMLResponse(body, status_code=400)
    if params.get("response_type") != "code":
        return _back(params, {"error": "unsupported_response_type"})
    scopes = [s.strip() for s in params.get("scope", "").split(",") if s.strip()]
    if not scopes or not set(scopes) <= BUSINESS_SCOPES:
        return _back(
            params, {"error": "invalid_scope", "error_description": "The scope is invalid."}
        )
    return scopes


@router.get("/v2/auth/authorize/", include_in_schema=False)
async def consent_page(request: Request) -> Response:
    state = state_of(request)
    params = dict(request.query_params)
    if not _is_business(state, params.get("client_key")):
        return await oauth.authorize_page(request)
    checked = _checked(state, params)
    if isinstance(checked, Response):
        return checked
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">'
        for name in FIELDS
    )
    options = "".join(
        f'<option value="{escape(a.open_id)}">{escape(a.username)}</option>'
        for a in state.business.accounts.values()
    )
    return HTMLResponse(f"""<!doctype html>
<html><head><title>TikTok sandbox: authorize a business account</title></head>
<body>
<h1>Authorize {escape(state.config.business.client_id)} (TikTok API for Business)</h1>
<form method="post" action="">
{hidden}
<p><label>Existing business account: <select name="account">
<option value="">(new account)</option>{options}</select></label></p>
<p><label>or new username: <input name="username"></label></p>
<p>Permissions: {escape(", ".join(checked))}</p>
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
</body></html>""")


@router.post("/v2/auth/authorize/", include_in_schema=False)
async def consent_decision(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()  # cached on the request: Login Kit's handler reads it again
    if not _is_business(state, form.get("client_key")):
        return await oauth.authorize_decision(request)
    params = {name: str(form.get(name, "")) for name in FIELDS}
    checked = _checked(state, params)
    if isinstance(checked, Response):
        return checked
    if form.get("decision") != "approve":
        return _back(
            params, {"error": "access_denied", "error_description": "The user denied the request."}
        )
    account = state.business.accounts.get(str(form.get("account", "")))
    username = str(form.get("username", "")).strip()
    if account is None and username:
        found = [a for a in state.business.accounts.values() if a.username == username]
        account = found[0] if found else auth.create_account(state, username)
    if account is None:
        return HTMLResponse("<!doctype html><p>Pick an account or name a new one.</p>", 400)
    code = auth.issue_code(state, account.open_id, checked, params["redirect_uri"])
    return _back(params, {"code": code, "scopes": ",".join(checked)})
