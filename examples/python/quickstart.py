"""Upload a video, post it, wait for `published`, verify the webhook: python quickstart.py a.mp4"""

import sys

from tikpost_client import Tikpost

client = Tikpost()  # TIKPOST_API_KEY and TIKPOST_URL
with client.webhook_endpoints.listen() as hook:  # a local receiver; verifies every delivery
    # A creator account: a business account's posts are public, and SELF_ONLY is refused.
    ready = [a for a in client.accounts.list() if a.status == "ready" and a.api != "business"]
    account = ready[0]
    media = client.media.upload(sys.argv[1], on_progress=print)  # prints "sent total"
    post = client.posts.create(
        account_id=account.id, video=media.id, privacy_level="SELF_ONLY", webhook_url=hook.url
    )
    print(post.id, client.posts.wait(post.id).status, hook.next(timeout=60).type)
