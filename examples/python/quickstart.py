"""Upload a video, post it, wait for `published`, verify the webhook: python quickstart.py a.mp4"""

import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from queue import Queue

from tikpost_client import Tikpost, WebhookEvent

client, events = Tikpost(), Queue[WebhookEvent]()  # TIKPOST_API_KEY and TIKPOST_URL
secret = client.webhook_endpoints.default_secret()  # what signs a post's own webhook_url


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        events.put(client.webhooks.unwrap(body, dict(self.headers), secret))  # raises if forged
        self.send_response(204)
        self.end_headers()


receiver = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
account = next(a for a in client.accounts.list() if a.status == "ready")
media = client.media.upload(sys.argv[1], on_progress=lambda sent, total: print(f"{sent}/{total}"))
post = client.posts.create(
    account_id=account.id,
    video=media.id,
    privacy_level="SELF_ONLY",
    webhook_url=f"http://127.0.0.1:{receiver.server_port}/",
)
print(post.id, client.posts.wait(post.id).status, events.get(timeout=60).type)
