import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { openAsBlob } from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConflictError, NotFoundError, ValidationError, type Progress } from "../src/index.js";
import { SLIDES, VIDEO, client, connectAccount, listen, unique } from "./support.js";

const tikpost = client();

test("upload streams a file from disk, reporting progress up to its size", async () => {
  const size = (await stat(VIDEO)).size;
  const seen: Progress[] = [];
  const media = await tikpost.media.upload(VIDEO, { onProgress: (progress) => seen.push(progress) });
  assert.equal(media.kind, "video");
  assert.equal(media.size_bytes, size);
  assert.equal(media.checks.ready_for_tiktok, true, JSON.stringify(media.checks));
  // Read in 64 KiB chunks: a report per chunk, never going back, ending at the size.
  assert.ok(seen.length >= 1 + Math.ceil(size / 65_536), `only ${seen.length} progress reports`);
  assert.deepEqual(seen.at(0), { sentBytes: 0, totalBytes: size });
  assert.deepEqual(seen.at(-1), { sentBytes: size, totalBytes: size });
  for (let i = 1; i < seen.length; i += 1) assert.ok(seen[i]!.sentBytes >= seen[i - 1]!.sentBytes);
  assert.deepEqual(await tikpost.media.get(media.id), media);
});

test("a Blob uploads too (a browser's File, or Node's file-backed openAsBlob)", async () => {
  const seen: Progress[] = [];
  const blob = await openAsBlob(VIDEO, { type: "video/mp4" });
  const media = await tikpost.media.upload(blob, { filename: "from-blob.mp4", onProgress: (p) => seen.push(p) });
  assert.equal(media.filename, "from-blob.mp4");
  assert.equal(media.size_bytes, blob.size);
  assert.deepEqual(seen.at(-1), { sentBytes: blob.size, totalBytes: blob.size });
});

test("what TikTok could never take is a ValidationError naming the field", async () => {
  const junk = join(tmpdir(), `${unique("junk")}.mp4`);
  await writeFile(junk, Buffer.alloc(50_000, 7));
  const error = await tikpost.media.upload(junk).catch((e: unknown) => e);
  assert.ok(error instanceof ValidationError, String(error));
  assert.ok([415, 422].includes(error.status), String(error.status));
  assert.equal(error.field, "file");
  assert.equal(error.retryable, false);
});

test("importFromUrl has the server fetch the file", async () => {
  const origin = await listen((_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4" });
    createReadStream(VIDEO).pipe(res);
  });
  try {
    const media = await tikpost.media.importFromUrl(`${origin.url}/clip.mp4`);
    assert.equal(media.kind, "video");
    assert.equal(media.size_bytes, (await stat(VIDEO)).size);
  } finally {
    await origin.close();
  }
});

test("list walks every page with for await; delete removes, and refuses media a post needs", async () => {
  const uploaded = [];
  for (let i = 0; i < 2; i += 1) uploaded.push((await tikpost.media.upload(VIDEO)).id);
  const pages = [];
  for await (const page of tikpost.media.list({ limit: 1 }).pages()) {
    pages.push(page);
    if (pages.length === 2) break;
  }
  assert.deepEqual(pages.map((page) => page.items.length), [1, 1]);
  assert.notEqual(pages[0]!.items[0]!.id, pages[1]!.items[0]!.id);
  const ids: string[] = [];
  for await (const media of tikpost.media.list({ limit: 2 })) ids.push(media.id);
  assert.ok(uploaded.every((id) => ids.includes(id)), "every upload is listed");
  assert.equal(new Set(ids).size, ids.length, "no page repeats another");

  await tikpost.media.delete(uploaded[0]!);
  await assert.rejects(tikpost.media.get(uploaded[0]!), NotFoundError);

  const account = await connectAccount(tikpost);
  const scheduled_at = new Date(Date.now() + 3_600_000).toISOString();
  await tikpost.posts.create({ account_id: account.id, video: uploaded[1]!, privacy_level: "SELF_ONLY", scheduled_at });
  const error = await tikpost.media.delete(uploaded[1]!).catch((e: unknown) => e);
  assert.ok(error instanceof ConflictError, String(error));
  assert.equal(error.code, "media_in_use");
});

test("uploadZip makes one image media per slide, in slide order", async () => {
  const slides = await tikpost.media.uploadZip(SLIDES);
  assert.deepEqual(slides.map((media) => media.kind), ["image", "image"]);
  assert.deepEqual(slides.map((media) => media.filename), ["slide-1.jpg", "slide-2.jpg"]);
});
