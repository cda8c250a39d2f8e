// Upload a video, post it, wait for `published`, and verify the webhook it sends.
// Run with TIKPOST_URL and TIKPOST_API_KEY set, an account connected: node quickstart.mjs clip.mp4
import { Tikpost } from "@tikpost/client";

const tikpost = new Tikpost(); // TIKPOST_URL, TIKPOST_API_KEY
const hook = await tikpost.webhookEndpoints.listen(); // a local receiver; verifies every delivery
// A creator account: a business account's posts are public, and SELF_ONLY is refused.
const accounts = await tikpost.accounts.list().toArray();
const account = accounts.find((a) => a.status === "ready" && a.api !== "business")!;
const onProgress = (p: { sentBytes: number; totalBytes: number }) => console.log(`${p.sentBytes}/${p.totalBytes}`);
const video = await tikpost.media.upload(process.argv[2]!, { onProgress });
const post = await tikpost.posts.create({
  account_id: account.id, video: video.id, privacy_level: "SELF_ONLY", webhook_url: hook.url,
});
console.log(post.id, (await tikpost.posts.wait(post.id)).status, (await hook.next()).type);
await hook.close();
