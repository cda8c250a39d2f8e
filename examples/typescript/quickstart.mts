// Upload a video, post it, wait for `published`, and verify the webhook it sends.
// Run with TIKPOST_URL and TIKPOST_API_KEY set, an account connected: node quickstart.mjs clip.mp4
import { createServer } from "node:http";
import { Tikpost, type WebhookEvent } from "@tikpost/client";

const tikpost = new Tikpost(); // TIKPOST_URL, TIKPOST_API_KEY
const port = Number(process.env.PORT ?? 8787), secret = await tikpost.webhookEndpoints.defaultSecret();
const webhook = new Promise<WebhookEvent>((resolve) => {
  const server = createServer(async (req, res) => {
    let body = ""; for await (const chunk of req) body += chunk;
    res.end(); server.close(); resolve(tikpost.webhooks.unwrap(body, req.headers, secret));
  }).listen(port);
});
const account = (await tikpost.accounts.list().toArray()).find((a) => a.status === "ready");
const video = await tikpost.media.upload(process.argv[2]!, { onProgress: (p) => console.log(`${p.sentBytes}/${p.totalBytes}`) });
const post = await tikpost.posts.create({ account_id: account!.id, video: video.id, privacy_level: "SELF_ONLY", webhook_url: `http://127.0.0.1:${port}/` });
console.log(post.id, (await tikpost.posts.wait(post.id)).status, (await webhook).type); // post_… published post.published
