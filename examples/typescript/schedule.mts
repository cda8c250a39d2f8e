// Upload with a progress bar, schedule a post for tomorrow, list what is scheduled, cancel it.
// Needs TIKPOST_URL and TIKPOST_API_KEY, a connected account, and a video path as argument.
import { Tikpost } from "@tikpost/client";

const tikpost = new Tikpost();
const account = (await tikpost.accounts.list().toArray()).find((a) => a.status === "ready");
if (!account) throw new Error("connect an account first: tikpost accounts connect");

const video = await tikpost.media.upload(process.argv[2]!, {
  onProgress: ({ sentBytes, totalBytes }) => {
    const done = Math.round((20 * sentBytes) / totalBytes);
    process.stdout.write(`\r[${"#".repeat(done)}${" ".repeat(20 - done)}] ${sentBytes}/${totalBytes} bytes`);
  },
});
process.stdout.write("\n");

const tomorrow = new Date(Date.now() + 24 * 3_600_000).toISOString();
const post = await tikpost.posts.create({
  account_id: account.id,
  video: video.id,
  privacy_level: "SELF_ONLY",
  title: "scheduled from TypeScript #tikpost",
  scheduled_at: tomorrow,
});
console.log(`scheduled ${post.id} for ${post.scheduled_at}`);

for await (const scheduled of tikpost.posts.list({ account_id: account.id, status: "scheduled" })) {
  console.log(`  ${scheduled.id} at ${scheduled.scheduled_at}`);
}
console.log(`cancelled ${(await tikpost.posts.cancel(post.id)).status === "cancelled" ? post.id : "nothing"}`);
