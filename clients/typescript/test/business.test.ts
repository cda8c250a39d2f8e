import assert from "node:assert/strict";
import { test } from "node:test";
import { ConflictError, ValidationError, type SoundChoice } from "../src/index.js";
import { VIDEO, businessClient, connectAccount, unique } from "./support.js";

const tikpost = businessClient();
// One upload for the file: the server probes each, which costs.
const video = tikpost.media.upload(VIDEO);

test("a business account lists trending sounds and publishes a video with one", async () => {
  const account = await connectAccount(tikpost, unique("brand"), { api: "business" });
  assert.equal(account.api, "business");
  const sounds = await tikpost.accounts.sounds(account.id);
  assert.ok(sounds.length > 0);
  assert.ok(sounds.every((sound) => sound.id !== sound.track_id), "every item is a clip, not a track");
  const pop = await tikpost.accounts.sounds(account.id, { countryCode: "GB", genre: "POP", dateRange: "30DAY" });
  assert.ok(pop.every((sound) => sound.genres.some((genre) => genre.toUpperCase() === "POP")), JSON.stringify(pop));
  const first = sounds[0]!;
  const wanted = first.name.split(" ")[0]!;
  const searched = await tikpost.accounts.sounds(account.id, { q: wanted });
  assert.ok(searched.some((sound) => sound.id === first.id));

  const sound: SoundChoice = { id: first.id, volume: 80, original_volume: 10 };
  const post = await tikpost.posts.create({ account_id: account.id, video: (await video).id, title: "launch #new", sound });
  assert.equal(post.api, "business");
  assert.equal(post.privacy_level, "PUBLIC_TO_EVERYONE");
  const done = await tikpost.posts.wait(post.id, { timeoutMs: 60_000, intervalMs: 100 });
  assert.equal(done.status, "published", JSON.stringify(done.error));
  assert.deepEqual(done.sound, { ...sound, start_ms: null, end_ms: null });
});

test("a Content Posting account has no sounds: ConflictError, and a post with one is a ValidationError", async () => {
  const account = await connectAccount(tikpost);
  assert.equal(account.api, "content_posting");
  const listed = await tikpost.accounts.sounds(account.id).catch((e: unknown) => e);
  assert.ok(listed instanceof ConflictError, String(listed));
  assert.equal(listed.code, "not_a_business_account");
  const body = { account_id: account.id, video: (await video).id, privacy_level: "SELF_ONLY" as const };
  const posted = await tikpost.posts.create({ ...body, sound: { id: "7300000000000003003" } }).catch((e: unknown) => e);
  assert.ok(posted instanceof ValidationError, String(posted));
  assert.equal(posted.code, "sound_needs_business_account");
  assert.equal(posted.field, "sound");
});
