"""Media over HTTP: streamed uploads, probes, team scoping, listing and deletion."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import av
import httpx
import pytest
from av.video.stream import VideoStream

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.s3_helpers import BOTH_STORAGES, StoredObject, stored_media
from tests.support.videos import make_video
from tikpost.sandbox.samples import make_jpeg
from tikpost.settings import Settings


def stored_files(service: RunningService) -> list[Path] | list[StoredObject]:
    """Every stored file or object, temporary ones and unfinished uploads included."""
    return stored_media(service.settings)


def upload(
    client: httpx.Client, data: bytes, filename: str = "clip.mp4", mime: str = "video/mp4"
) -> httpx.Response:
    return client.post("/v1/media", files={"file": (filename, data, mime)})


def make_image(codec: str, pix_fmt: str, width: int = 64, height: int = 48) -> bytes:
    """A one-frame PNG or WebP from PyAV (samples.py only makes JPEGs)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="image2pipe") as output:
        stream = cast(VideoStream, output.add_stream(codec, rate=1))
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        frame = av.VideoFrame(width, height, pix_fmt)
        frame.pts = 0
        for packet in [*stream.encode(frame), *stream.encode()]:
            output.mux(packet)
    return buffer.getvalue()


@BOTH_STORAGES
def test_upload_a_video_and_a_photo(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    data = videos.good.read_bytes()
    created = upload(api, data, "good.mp4")
    assert created.status_code == 201, created.text
    video = created.json()
    assert video["id"].startswith("med_")
    assert video["kind"] == "video"
    assert video["filename"] == "good.mp4"
    assert video["content_type"] == "video/mp4"
    assert video["size_bytes"] == len(data)
    assert video["sha256"] == hashlib.sha256(data).hexdigest()
    assert video["probe"] == {
        "container": "mov,mp4,m4a,3gp,3g2,mj2",
        "video_codec": "h264",
        "duration_ms": 4000,
        "fps": 30.0,
        "width": 720,
        "height": 1280,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }

    jpeg = make_jpeg()
    created = upload(api, jpeg, "photo.jpg", "image/jpeg")
    assert created.status_code == 201, created.text
    photo = created.json()
    assert photo["kind"] == "image"
    assert photo["content_type"] == "image/jpeg"
    assert photo["probe"] == {
        "format": "jpeg",
        "width": 1080,
        "height": 1350,
        "size_bytes": len(jpeg),
        "sha256": hashlib.sha256(jpeg).hexdigest(),
    }

    assert api.get(f"/v1/media/{video['id']}").json() == video
    listed = api.get("/v1/media").json()
    assert [item["id"] for item in listed["items"]] == [photo["id"], video["id"]]
    assert listed["next_cursor"] is None
    stored = {path.read_bytes() for path in stored_files(service)}
    assert stored == {data, jpeg}


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("image", "expected_format", "mime"),
    [
        (lambda: make_image("png", "rgb24"), "png", "image/png"),
        (lambda: make_image("libwebp", "yuv420p"), "webp", "image/webp"),
    ],
)
def test_png_and_webp_photos(
    api: httpx.Client, image: Callable[[], bytes], expected_format: str, mime: str
) -> None:
    created = upload(api, image(), "picture.bin", "application/octet-stream")
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "image"
    assert created.json()["content_type"] == mime
    assert created.json()["probe"]["format"] == expected_format
    assert (created.json()["probe"]["width"], created.json()["probe"]["height"]) == (64, 48)


@SQLITE_ONLY
def test_webm_video(api: httpx.Client, tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.webm", seconds=3, fps=10, width=64, height=64,
                      codec="libvpx-vp9")  # fmt: skip
    created = upload(api, path.read_bytes(), "clip.webm", "video/webm")
    assert created.status_code == 201, created.text
    assert created.json()["content_type"] == "video/webm"
    assert created.json()["probe"]["video_codec"] == "vp9"
    assert created.json()["probe"]["duration_ms"] == 3000


@SQLITE_ONLY
def test_kind_comes_from_the_bytes_not_the_name(api: httpx.Client) -> None:
    created = upload(api, make_jpeg(width=320, height=240), "movie.mp4", "video/mp4")
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "image"
    assert created.json()["content_type"] == "image/jpeg"
    assert created.json()["filename"] == "movie.mp4"


@SQLITE_ONLY
def test_filenames_are_reduced_to_a_base_name(api: httpx.Client) -> None:
    created = upload(api, make_jpeg(width=32, height=32), "C:\\Users\\me\\..\\snap.jpg")
    assert created.json()["filename"] == "snap.jpg"


@SQLITE_ONLY
def test_other_teams_media_is_not_found(
    service: RunningService,
    api: httpx.Client,
    create_api_key: Callable[[str], str],
) -> None:
    media = upload(api, make_jpeg(width=32, height=32), "a.jpg", "image/jpeg").json()
    with service.client(create_api_key("rival")) as rival:
        for response in (
            rival.get(f"/v1/media/{media['id']}"),
            rival.delete(f"/v1/media/{media['id']}"),
        ):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "media_not_found"
        assert rival.get("/v1/media").json() == {"items": [], "next_cursor": None}
    assert api.get(f"/v1/media/{media['id']}").status_code == 200
    assert len(stored_files(service)) == 1


@SQLITE_ONLY
def test_unknown_id_is_not_found(api: httpx.Client) -> None:
    response = api.get("/v1/media/med_nope")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "media_not_found",
        "message": "no media with id med_nope",
        "field": "id",
    }


@SQLITE_ONLY
def test_every_route_needs_a_key(service: RunningService, videos: VideoFiles) -> None:
    with service.client() as anonymous:
        responses = [
            upload(anonymous, videos.good.read_bytes()),
            anonymous.get("/v1/media"),
            anonymous.get("/v1/media/med_x"),
            anonymous.delete("/v1/media/med_x"),
        ]
    for response in responses:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "api_key_missing"
    assert stored_files(service) == []


@SQLITE_ONLY
@BOTH_STORAGES
def test_delete_removes_the_row_and_the_file(service: RunningService, api: httpx.Client) -> None:
    keep = upload(api, make_jpeg(width=32, height=32, shade=1), "keep.jpg").json()
    gone = upload(api, make_jpeg(width=32, height=32, shade=2), "gone.jpg").json()
    assert len(stored_files(service)) == 2
    response = api.delete(f"/v1/media/{gone['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/v1/media/{gone['id']}").status_code == 404
    assert api.delete(f"/v1/media/{gone['id']}").status_code == 404
    assert [path.name for path in stored_files(service)] == [keep["id"]]


@SQLITE_ONLY
def test_listing_pages_newest_first(api: httpx.Client) -> None:
    ids = [
        upload(api, make_jpeg(width=16, height=16, shade=i), f"{i}.jpg").json()["id"]
        for i in range(3)
    ]
    first = api.get("/v1/media", params={"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == [ids[2], ids[1]]
    assert first["next_cursor"] == ids[1]
    second = api.get("/v1/media", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None
    bad = api.get("/v1/media", params={"limit": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "limit"


class _NoLocalPath:
    """Local storage that hides its paths, as S3 will: the prober must work from a copy."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def local_path(self, key: str) -> Path | None:
        return None


@SQLITE_ONLY
def test_probing_storage_without_local_paths(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    def hide_paths(app: Any) -> None:
        app.state.tikpost = replace(
            app.state.tikpost, storage=_NoLocalPath(app.state.tikpost.storage)
        )

    with service_factory(configure=hide_paths) as svc, svc.client(create_api_key("acme")) as api:
        created = upload(api, videos.good.read_bytes())
        assert created.status_code == 201, created.text
        assert created.json()["probe"]["duration_ms"] == 4000


@SQLITE_ONLY
@pytest.mark.parametrize("storage_settings", ["s3"], indirect=True)
def test_probing_from_object_storage_removes_its_copy(
    service: RunningService,
    api: httpx.Client,
    videos: VideoFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """S3 has no local path: the prober reads a temporary copy, which must not outlive it."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: Any, **kwargs: Any) -> str:
        made.append(mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    created = upload(api, videos.good.read_bytes())
    assert created.status_code == 201, created.text
    assert created.json()["probe"]["duration_ms"] == 4000
    assert any(Path(path).name.startswith("tikpost-probe-") for path in made)
    assert list(scratch.iterdir()) == []
    assert [item.name for item in stored_files(service)] == [created.json()["id"]]


@SQLITE_ONLY
def test_the_upload_is_documented(service: RunningService) -> None:
    with service.client() as client:
        operation = client.get("/openapi.json").json()["paths"]["/v1/media"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]


def test_the_size_limit_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKPOST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TIKPOST_MAX_MEDIA_BYTES", raising=False)
    assert Settings(_env_file=None).max_media_bytes == 4 * 1024**3
    monkeypatch.setenv("TIKPOST_MAX_MEDIA_BYTES", "1048576")
    assert Settings(_env_file=None).max_media_bytes == 1024 * 1024
