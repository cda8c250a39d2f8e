"""examples/python and the README's quickstart, run as a developer runs them: real processes
against a live service, and the FastAPI receiver verifying the webhook each post sends."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from tikpost_client import AccountRead, PostEvent, Tikpost, WebhookEvent

from tests.clients.python.conftest import SdkServer
from tests.conftest import VideoFiles
from tests.support.server import serve_in_thread
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "python"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(server: SdkServer, example: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKPOST_")}
    env |= {"TIKPOST_API_KEY": server.api_key, "TIKPOST_URL": server.url}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def received(server: SdkServer) -> Iterator[tuple[str, list[WebhookEvent]]]:
    """The example receiver, keyed with the team's default secret (what a post's own
    webhook_url is signed with); its URL and the events it accepted."""
    with server.client() as client:
        secret = client.webhook_endpoints.default_secret()
    events: list[WebhookEvent] = []
    app = load("webhook_receiver").create_app(secret, on_event=events.append)
    with serve_in_thread(app) as url:
        yield f"{url}/webhooks/tikpost", events


def test_quickstart_publishes_and_verifies_its_webhook(
    server: SdkServer, client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    """The README's quickstart: upload (with progress), post, wait, and the webhook verified
    by its own receiver."""
    done = run(server, "quickstart.py", str(videos.good))
    lines = done.stdout.strip().splitlines()
    size = videos.good.stat().st_size
    assert re.fullmatch(r"(\d+) \1", lines[-2]), lines
    assert int(lines[-2].split()[0]) > size
    found = re.fullmatch(r"(post_\w+) published post\.published", lines[-1])
    assert found, lines
    assert client.posts.get(found.group(1)).status == "published"


def test_the_fastapi_receiver_verifies_a_posts_webhook(
    server: SdkServer,
    client: Tikpost,
    account: AccountRead,
    videos: VideoFiles,
    received: tuple[str, list[WebhookEvent]],
) -> None:
    url, events = received
    media = client.media.upload(videos.good)
    post = client.posts.create(
        account_id=account.id, video=media.id, privacy_level="SELF_ONLY", webhook_url=url
    )
    assert client.posts.wait(post.id, timeout=60, interval=0.1).status == "published"

    def published() -> PostEvent | None:
        return next((e for e in events if isinstance(e, PostEvent) and e.data.id == post.id), None)

    event = wait_until(published, "the post.published webhook, verified by the example receiver")
    assert (event.type, event.data.status) == ("post.published", "published")


def test_the_receiver_refuses_a_forged_delivery(received: tuple[str, list[WebhookEvent]]) -> None:
    url, events = received
    before = len(events)
    headers = {"webhook-id": "msg_x", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"}
    forged = httpx.post(url, content=b'{"type":"post.published"}', headers=headers)
    assert forged.status_code == 400
    assert len(events) == before


def test_upload_with_a_progress_bar(
    server: SdkServer, account: AccountRead, videos: VideoFiles
) -> None:
    done = run(server, "upload_with_progress.py", str(videos.good), f"@{account.username}")
    total = re.findall(r"\] (\d+)/(\d+) bytes", done.stderr)[-1]
    assert total[0] == total[1]
    assert re.search(r"post post_\w+ published", done.stdout), done.stdout


def test_schedule_list_and_cancel(
    server: SdkServer, account: AccountRead, videos: VideoFiles
) -> None:
    done = run(server, "schedule.py", str(videos.good), f"@{account.username}")
    created = re.search(r"post (post_\w+) scheduled for ", done.stdout)
    assert created, done.stdout
    assert f"scheduled: {created.group(1)}" in done.stdout
    assert f"post {created.group(1)} cancelled" in done.stdout


def test_the_readme_shows_the_quickstart_as_it_runs() -> None:
    code = (EXAMPLES / "quickstart.py").read_text()
    body = code.split('"""', 2)[2].strip()
    assert body in (ROOT / "README.md").read_text()
