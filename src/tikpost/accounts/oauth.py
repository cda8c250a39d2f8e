"""The TikTok app this server acts as, and the signed, single-use `state` of a connection.

`state` is both signed (a forged one is rejected before touching the database) and stored as a
hash (so it is single-use and bound to the team that asked). TikTok's web flow documents no
PKCE (its `code_verifier` is for mobile and desktop apps), so none is sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from tikpost.kit.crypto import Signer, derive_key, random_token, sha256_hex
from tikpost.settings import Settings
from tikpost.tiktok import EventHooks, TikTokApp
from tikpost.tiktok.business import TikTokBusinessApp

CALLBACK_PATH = "/v1/oauth/tiktok/callback"
BUSINESS_CALLBACK_PATH = "/v1/oauth/tiktok-business/callback"
# `video.publish` for direct posts (and creator_info, which also names the creator),
# `video.upload` for drafts to the inbox, `user.info.basic` for the open_id and avatar.
SCOPES = ("user.info.basic", "video.publish", "video.upload")
# The Business API app's: `user.info.basic` for its profile (username), `video.publish` for
# posts, settings and the trending sounds, `video.upload` for drafts.
BUSINESS_SCOPES = ("user.info.basic", "video.publish", "video.upload")
STATE_TTL = timedelta(minutes=10)


# The app the embedded sandbox registers in sandbox mode. Its secret derives from our secret
# key, so a separate `tikpost worker` process computes the same credentials on its own.
EMBEDDED_SANDBOX_CLIENT_KEY = "tikpost-embedded-sandbox"
EMBEDDED_SANDBOX_BUSINESS_CLIENT_ID = "tikpost-embedded-sandbox-business"


def embedded_sandbox_secret(settings: Settings, app: str = "client-secret") -> str:
    return derive_key(settings.secret_key.get_secret_value(), f"sandbox/{app}").hex()


def business_app_for(
    settings: Settings, event_hooks: EventHooks | None = None, http: httpx.AsyncClient | None = None
) -> TikTokBusinessApp | None:
    """Our Business API app, the embedded sandbox's in sandbox mode, or None when the operator
    configured none (business accounts then cannot be connected, nor their posts published)."""
    if settings.sandbox_mode:
        client_id = EMBEDDED_SANDBOX_BUSINESS_CLIENT_ID
        secret = embedded_sandbox_secret(settings, "business-secret")
    elif settings.tiktok_business_client_key and settings.tiktok_business_client_secret:
        client_id = settings.tiktok_business_client_key
        secret = settings.tiktok_business_client_secret.get_secret_value()
    else:
        return None
    return TikTokBusinessApp(
        client_id=client_id,
        client_secret=secret,
        redirect_uri=f"{settings.public_url}{BUSINESS_CALLBACK_PATH}",
        api_url=settings.tiktok_business_api_url,
        event_hooks=event_hooks or {},
        http=http,
    )


def tiktok_app_for(
    settings: Settings, event_hooks: EventHooks | None = None, http: httpx.AsyncClient | None = None
) -> TikTokApp:
    """Our TikTok app: the configured credentials, or the embedded sandbox's in sandbox mode.
    `event_hooks` and a shared `http` client are the host's (see `tiktok.app`)."""
    if settings.sandbox_mode:
        client_key = EMBEDDED_SANDBOX_CLIENT_KEY
        client_secret = embedded_sandbox_secret(settings)
    elif settings.tiktok_client_key and settings.tiktok_client_secret:
        client_key = settings.tiktok_client_key
        client_secret = settings.tiktok_client_secret.get_secret_value()
    else:
        raise ValueError("TikTok credentials are required outside sandbox mode")
    return TikTokApp(
        client_key=client_key,
        client_secret=client_secret,
        api_url=settings.tiktok_api_url,
        auth_url=settings.tiktok_auth_url,
        redirect_uri=f"{settings.public_url}{CALLBACK_PATH}",
        event_hooks=event_hooks or {},
        http=http,
    )


def state_signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), "oauth-state")


@dataclass(frozen=True)
class NewState:
    value: str
    value_hash: str
    expires_at: datetime


def new_state(signer: Signer, team_id: str) -> NewState:
    expires_at = datetime.now(UTC) + STATE_TTL
    value = signer.sign(f"{team_id}.{random_token(18)}.{int(expires_at.timestamp())}")
    return NewState(value=value, value_hash=sha256_hex(value), expires_at=expires_at)


def verify_state(signer: Signer, value: str) -> str | None:
    """The team id a state was made for, or None if it was forged, garbled or has expired."""
    payload = signer.unsign(value)
    if payload is None:
        return None
    team_id, _, rest = payload.partition(".")
    _, _, expires = rest.rpartition(".")
    if not expires.isdigit() or int(expires) < time.time():
        return None
    return team_id
