"""Schedule a post, list what is scheduled, then cancel it: python schedule.py clip.mp4 @name

A scheduled post is published at `scheduled_at` by the service itself; until its upload to
TikTok starts it can be cancelled (and later retried as a new attempt).
"""

import sys
from datetime import UTC, datetime, timedelta

from tikpost_client import Tikpost


def main(video: str, username: str) -> None:
    with Tikpost() as client:
        account = next(a for a in client.accounts.list() if a.username == username.lstrip("@"))
        media = client.media.upload(video)
        at = datetime.now(UTC) + timedelta(hours=2)
        post = client.posts.create(
            account_id=account.id, video=media.id, privacy_level="SELF_ONLY", scheduled_at=at
        )
        print(f"post {post.id} {post.status} for {post.scheduled_at}")
        for scheduled in client.posts.list(status="scheduled", account_id=account.id):
            print(f"scheduled: {scheduled.id} at {scheduled.scheduled_at}")
        print(f"post {post.id} {client.posts.cancel(post.id).status}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
