"""A real S3-compatible server for tests (moto's standalone server), one per session.

Tests opt in to running against it as well as local disk with `BOTH_STORAGES` (the
`storage_settings` fixture in conftest), so only the suites that exercise storage pay for it.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tikpost.settings import Settings

ACCESS_KEY_ID = "test-access-key"
SECRET_ACCESS_KEY = "test-secret-key"
REGION = "us-east-1"

# Parametrises `storage_settings`: the test runs on local disk and on the S3 server.
BOTH_STORAGES = pytest.mark.parametrize("storage_settings", ["local", "s3"], indirect=True)


@dataclass
class S3Server:
    endpoint_url: str
    moto: ThreadedMotoServer | None = None

    def stop(self) -> None:
        """Take the endpoint away: new connections are refused, as from an unreachable S3."""
        assert self.moto is not None
        self.moto.stop()

    def start(self) -> None:
        """Serve again on the same port. moto keeps its buckets, objects and open uploads in
        this process, not in the server, so they are all still there."""
        port = int(self.endpoint_url.rsplit(":", 1)[1])
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.moto.start()

    def client(self) -> Any:
        """A boto3 client, for looking behind the service's back (objects, open uploads)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        name = f"t-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "media") -> dict[str, Any]:
        """Settings overrides that put a service's media in `bucket` under `prefix`."""
        return {
            "storage_url": f"s3://{bucket}/{prefix}",
            "s3_endpoint_url": self.endpoint_url,
            "s3_region": REGION,
            "s3_access_key_id": ACCESS_KEY_ID,
            "s3_secret_access_key": SECRET_ACCESS_KEY,
        }

    def keys(self, bucket: str) -> list[str]:
        """Every committed object in the bucket."""
        found = self.client().list_objects_v2(Bucket=bucket).get("Contents", [])
        return sorted(item["Key"] for item in found)

    def open_uploads(self, bucket: str) -> list[str]:
        """Multipart uploads neither completed nor aborted (hidden, but they cost storage)."""
        found = self.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return sorted(item["Key"] for item in found)


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class StoredObject:
    """An object in the bucket, shaped like the `Path` a local media file is in tests."""

    server: S3Server
    bucket: str
    key: str

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    def read_bytes(self) -> bytes:
        body: bytes = (
            self.server.client().get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        )
        return body


def stored_media(settings: Settings) -> list[Path] | list[StoredObject]:
    """Everything a service's media storage holds, leftovers included: files under the media
    root (temporary ones too), or the bucket's objects and unfinished multipart uploads."""
    if not settings.storage_url.startswith("s3://"):
        root = settings.data_dir / "media"
        return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
    assert settings.s3_endpoint_url is not None
    server = S3Server(settings.s3_endpoint_url)
    bucket = urlsplit(settings.storage_url).netloc
    keys = server.keys(bucket) + [f"unfinished-upload:{k}" for k in server.open_uploads(bucket)]
    return [StoredObject(server, bucket, key) for key in keys]
