import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { test } from "node:test";
import { APIConnectionError, RateLimitError, ServerError } from "../src/index.js";
import { VIDEO, client, connectAccount, faultyHop, listen } from "./support.js";

const tikpost = client();

test("5xx answers are retried, up to maxRetries", async () => {
  const hop = await faultyHop([{ status: 503 }, { status: 502 }]);
  try {
    const accounts = await client({ baseUrl: hop.url, maxRetries: 2 }).accounts.list().toArray();
    assert.ok(Array.isArray(accounts));
    assert.equal(hop.hits.length, 3);
  } finally {
    await hop.close();
  }
  const failing = await faultyHop([{ status: 500 }, { status: 500 }, { status: 500 }]);
  try {
    const error = await client({ baseUrl: failing.url, maxRetries: 2 }).posts.get("post_x").catch((e: unknown) => e);
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.code, "injected");
    assert.equal(error.retryable, true);
    assert.equal(failing.hits.length, 3);
  } finally {
    await failing.close();
  }
});

test("a retried upload opens the file again and sends it whole", async () => {
  const hop = await faultyHop([{ status: 503, headers: { "retry-after": "0" } }]);
  try {
    const sent: number[] = [];
    const media = await client({ baseUrl: hop.url, maxRetries: 1 }).media.upload(VIDEO, { onProgress: (p) => sent.push(p.sentBytes) });
    assert.equal(hop.hits.length, 2);
    assert.equal(media.size_bytes, (await stat(VIDEO)).size);
    assert.equal(sent.filter((bytes) => bytes === 0).length, 2, "progress starts again from 0");
  } finally {
    await hop.close();
  }
});

test("429 is a RateLimitError carrying Retry-After, and is retried after it", async () => {
  const limited = { status: 429, headers: { "retry-after": "1" }, body: { error: { code: "rate_limited", message: "slow down", field: null } } };
  const hop = await faultyHop([limited, limited]);
  try {
    const error = await client({ baseUrl: hop.url }).accounts.list().toArray().catch((e: unknown) => e);
    assert.ok(error instanceof RateLimitError, String(error));
    assert.equal(error.retryAfter, 1);
    assert.equal(error.code, "rate_limited");
    assert.equal(error.retryable, true);
    await client({ baseUrl: hop.url, maxRetries: 1 }).accounts.list().toArray();
    assert.equal(hop.hits.length, 3);
  } finally {
    await hop.close();
  }
});

test("a create whose answer was lost is retried with the same Idempotency-Key: one post", async () => {
  const account = await connectAccount(tikpost);
  const video = await tikpost.media.upload(VIDEO);
  const hop = await faultyHop(["cut"]);
  try {
    const scheduled_at = new Date(Date.now() + 3_600_000).toISOString();
    const body = { account_id: account.id, video: video.id, privacy_level: "SELF_ONLY" as const, scheduled_at };
    const post = await client({ baseUrl: hop.url, maxRetries: 1 }).posts.create(body);
    const [first, second] = hop.hits;
    assert.equal(hop.hits.length, 2);
    assert.ok(first?.idempotencyKey, "a POST carries a key");
    assert.equal(second?.idempotencyKey, first.idempotencyKey);
    const posts = await tikpost.posts.list({ account_id: account.id }).toArray();
    assert.deepEqual(posts.map((p) => p.id), [post.id]);
    // Another logical call mints another key.
    await client({ baseUrl: hop.url }).posts.create({ ...body, title: "second" });
    assert.notEqual(hop.hits[2]?.idempotencyKey, first.idempotencyKey);
    for (const p of await tikpost.posts.list({ account_id: account.id }).toArray()) await tikpost.posts.cancel(p.id);
  } finally {
    await hop.close();
  }
});

test("no answer at all is an APIConnectionError: refused, or timed out", async () => {
  const closed = await listen(() => undefined);
  await closed.close();
  const refused = await client({ baseUrl: closed.url, maxRetries: 1 }).accounts.list().toArray().catch((e: unknown) => e);
  assert.ok(refused instanceof APIConnectionError, String(refused));
  assert.equal(refused.status, 0);
  assert.equal(refused.retryable, true);

  const silent = await listen(() => undefined);
  try {
    const error = await client({ baseUrl: silent.url, timeoutMs: 200 }).accounts.list().toArray().catch((e: unknown) => e);
    assert.ok(error instanceof APIConnectionError, String(error));
    assert.equal(error.code, "timeout");
  } finally {
    await silent.close();
  }
});
