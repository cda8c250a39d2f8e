"""tikpost-client: the Python SDK for a tikpost service's /v1 API.

from tikpost_client import Tikpost

with Tikpost() as client:  # TIKPOST_API_KEY, TIKPOST_URL
    media = client.media.upload("clip.mp4")
    post = client.posts.create(account_id="acct_...", video=media.id, privacy_level="SELF_ONLY")
    print(client.posts.wait(post.id).status)
"""

from tikpost_client import _models as models
from tikpost_client._client import AsyncTikpost, Tikpost
from tikpost_client._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TikpostError,
    ValidationError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from tikpost_client._listen import WebhookListener
from tikpost_client._models import (
    AccountRead,
    MediaRead,
    PostCreate,
    PostRead,
    SoundChoice,
    SoundRead,
)
from tikpost_client._upload import ProgressCallback
from tikpost_client._webhooks import AccountEvent, PostEvent, WebhookEvent, Webhooks
from tikpost_client.resources.posts import FINAL_STATUSES

__version__ = "0.1.0"

__all__ = [
    "FINAL_STATUSES",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccountEvent",
    "AccountRead",
    "AsyncTikpost",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "MediaRead",
    "NotFoundError",
    "PermissionDeniedError",
    "PostCreate",
    "PostEvent",
    "PostRead",
    "ProgressCallback",
    "RateLimitError",
    "ServerError",
    "SoundChoice",
    "SoundRead",
    "Tikpost",
    "TikpostError",
    "ValidationError",
    "WaitTimeoutError",
    "WebhookEvent",
    "WebhookListener",
    "WebhookVerificationError",
    "Webhooks",
    "models",
]
