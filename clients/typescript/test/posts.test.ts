import assert from "node:assert/strict";
import { test } from "node:test";
import { ConflictError, ValidationError, WaitTimeoutError } from "../src/index.js";
import { VIDEO, client, connectAccount, unique } from "./support.js";

const tikpost = client();
// One account and one video for the file: each upload is probed by the server, which costs.
const ready = (async () => {
  const account = await connectAccount(tikpost);
  const video = await tikpost.media.upload(VIDEO);
  return { account_id: account.id, video: video.id };
})();
const later = (): string => new Date(Date.now() + 3_600_000).toISOString();

test("create, then wait follows the post to published", async () => {
  const base = await ready;
  const post = await tikpost.posts.create({ ...base, privacy_level: "SELF_ONLY", title: "from the TypeScript SDK" });
  assert.ok(["queued", "uploading", "processing", "published"].includes(post.status), post.status);
  const done = await tikpost.posts.wait(post.id, { timeoutMs: 60_000 });
  assert.equal(done.status, "published", JSON.stringify(done.error));
  assert.ok(done.publish_id);
  assert.deepEqual(done.events.map((event) => event.status).at(-1), "published");
});

test("the same Idempotency-Key makes the same post; another body under it is refused", async () => {
  const base = await ready;
  const body = { ...base, privacy_level: "SELF_ONLY" as const, scheduled_at: later() };
  const key = unique("same-key");
  const first = await tikpost.posts.create(body, { idempotencyKey: key });
  const again = await tikpost.posts.create(body, { idempotencyKey: key });
  assert.equal(again.id, first.id);
  const error = await tikpost.posts.create({ ...body, title: "other" }, { idempotencyKey: key }).catch((e: unknown) => e);
  assert.ok(error instanceof ValidationError, String(error));
  assert.equal(error.status, 422);
});

test("cancel a scheduled post, retry it, and cancel once more; wait gives up with the post", async () => {
  const base = await ready;
  const post = await tikpost.posts.create({ ...base, privacy_level: "SELF_ONLY", scheduled_at: later() });
  assert.equal(post.status, "scheduled");
  const cancelled = await tikpost.posts.cancel(post.id);
  assert.equal(cancelled.status, "cancelled");
  assert.equal((await tikpost.posts.wait(post.id)).status, "cancelled");
  const retried = await tikpost.posts.retry(post.id);
  assert.equal(retried.status, "scheduled");
  const error = await tikpost.posts.wait(post.id, { timeoutMs: 300 }).catch((e: unknown) => e);
  assert.ok(error instanceof WaitTimeoutError, String(error));
  assert.equal((error.post as { status: string }).status, "scheduled");
  await tikpost.posts.cancel(post.id);
  const twice = await tikpost.posts.retry(post.id);
  assert.equal(twice.status, "scheduled");
  const moved = await tikpost.posts.update(post.id, { scheduled_at: later() });
  assert.equal(moved.status, "scheduled");
  await tikpost.posts.cancel(post.id);
});

test("a post already published cannot be cancelled: ConflictError", async () => {
  const base = await ready;
  const [published] = await tikpost.posts.list({ account_id: base.account_id, status: "published", limit: 1 }).toArray();
  const target = published ?? (await tikpost.posts.wait((await tikpost.posts.create({ ...base, privacy_level: "SELF_ONLY" })).id));
  const error = await tikpost.posts.cancel(target.id).catch((e: unknown) => e);
  assert.ok(error instanceof ConflictError, String(error));
  assert.equal(error.code, "post_not_cancellable");
});

test("what TikTok would refuse is a ValidationError naming the field", async () => {
  const base = await ready;
  const error = await tikpost.posts.create({ ...base, privacy_level: "SELF_ONLY", title: "x".repeat(2201) }).catch((e: unknown) => e);
  assert.ok(error instanceof ValidationError, String(error));
  assert.equal(error.field, "title");
  assert.equal(error.retryable, false);
});

test("list pages through every post of the account with for await", async () => {
  const base = await ready;
  const made = [];
  for (let i = 0; i < 3; i += 1) made.push((await tikpost.posts.create({ ...base, privacy_level: "SELF_ONLY", scheduled_at: later() })).id);
  const pages = [];
  for await (const page of tikpost.posts.list({ account_id: base.account_id, status: "scheduled", limit: 2 }).pages()) pages.push(page.items.map((p) => p.id));
  assert.ok(pages.length >= 2, JSON.stringify(pages));
  const seen = pages.flat();
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(made.every((id) => seen.includes(id)));
  for (const id of made) await tikpost.posts.cancel(id);
});

test("a post awaiting review is approved, or rejected with a reason", async () => {
  const base = await ready;
  const held = { ...base, privacy_level: "SELF_ONLY" as const, scheduled_at: later(), review: "required" as const };
  const approved = await tikpost.posts.approve((await tikpost.posts.create(held)).id);
  assert.equal(approved.status, "scheduled");
  await tikpost.posts.cancel(approved.id);
  const waiting = await tikpost.posts.create(held);
  assert.equal(waiting.status, "awaiting_review");
  const rejected = await tikpost.posts.reject(waiting.id, "not on brand");
  assert.equal(rejected.status, "cancelled");
  assert.match(rejected.error?.message ?? "", /not on brand/);
});
