"""Upload a video, post it, wait for `published`, verify the webhook: python quickstart.py a.mp4"""

import sys

from tikpost_client import Tikpost

client = Tikpost()  # TIKPOST_API_KEY and TIKPOST_URL
with client.webhook_endpoints.listen() as hook:  # a local receiver; verifies every delivery
    account = next(a for a in client.accounts.list() if a.status == "ready")
    media = client.media.upload(sys.argv[1], on_progress=print)  # prints "sent total"
    post = client.posts.create(
        account_id=account.id, video=media.id, privacy_level="SELF_ONLY", webhook_url=hook.url
    )
    print(post.id, client.posts.wait(post.id).status, hook.next(timeout=60).type)
