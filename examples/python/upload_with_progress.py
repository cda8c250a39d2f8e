"""Upload a video with a progress bar, then post it: python upload_with_progress.py clip.mp4 @name

The file is streamed (never read whole into memory); the SDK calls `on_progress(sent, total)`
as each piece leaves, and starts it over from 0 should a retry send the file again.
"""

import sys

from tikpost_client import Tikpost


def bar(sent: int, total: int) -> None:
    done = sent * 30 // max(total, 1)
    print(f"\r[{'#' * done}{' ' * (30 - done)}] {sent}/{total} bytes", end="", file=sys.stderr)
    if sent == total:
        print(file=sys.stderr)


def main(video: str, username: str) -> None:
    with Tikpost() as client:
        accounts = [a for a in client.accounts.list() if a.username == username.lstrip("@")]
        media = client.media.upload(video, on_progress=bar)
        post = client.posts.create(
            account_id=accounts[0].id,
            video=media.id,
            title="Uploaded with tikpost-client #sdk",
            privacy_level="SELF_ONLY",
        )
        print(f"post {post.id} {post.status}")
        final = client.posts.wait(post.id, timeout=600)
        print(f"post {final.id} {final.status}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
