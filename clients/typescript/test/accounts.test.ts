import assert from "node:assert/strict";
import { test } from "node:test";
import { AuthenticationError, NotFoundError, Tikpost, ValidationError } from "../src/index.js";
import { REDIRECT_ORIGIN, SERVER_URL, client, connectAccount, consent, unique } from "./support.js";

const tikpost = client();

test("connect with a redirectUri sends the creator's browser back there with the account", async () => {
  const username = unique("redirected");
  const started = await tikpost.accounts.connect({ redirectUri: `${REDIRECT_ORIGIN}/tiktok/done?from=app` });
  assert.match(started.authorize_url, /^http/);
  const landed = await consent(started.authorize_url, username);
  assert.ok(landed, "tikpost should redirect to the app");
  assert.equal(landed.origin, REDIRECT_ORIGIN);
  assert.equal(landed.pathname, "/tiktok/done");
  assert.equal(landed.searchParams.get("status"), "connected");
  const account = await tikpost.accounts.get(landed.searchParams.get("account_id")!);
  assert.equal(account.username, username);
  assert.equal(account.status, "ready");
});

test("a redirectUri off the allowed origins is a ValidationError naming the field", async () => {
  const error = await tikpost.accounts.connect({ redirectUri: "https://elsewhere.example/x" }).catch((e: unknown) => e);
  assert.ok(error instanceof ValidationError, String(error));
  assert.equal(error.status, 422);
  assert.equal(error.code, "redirect_uri_not_allowed");
  assert.equal(error.field, "redirect_uri");
  assert.equal(error.retryable, false);
});

test("list, get, creatorInfo and disconnect", async () => {
  const account = await connectAccount(tikpost);
  const listed = await tikpost.accounts.list().toArray();
  assert.ok(listed.some((a) => a.id === account.id));
  assert.deepEqual(await tikpost.accounts.get(account.id), account);
  const info = await tikpost.accounts.creatorInfo(account.id);
  assert.ok(info.privacy_level_options.includes("SELF_ONLY"), JSON.stringify(info));
  const updated = await tikpost.accounts.update(account.id, { default_privacy_level: "SELF_ONLY" });
  assert.equal(updated.default_privacy_level, "SELF_ONLY");
  const gone = await tikpost.accounts.disconnect(account.id);
  assert.equal(gone.status, "revoked");
});

test("an unknown account is a NotFoundError with the server's code", async () => {
  const error = await tikpost.accounts.get("acct_nope").catch((e: unknown) => e);
  assert.ok(error instanceof NotFoundError, String(error));
  assert.equal(error.status, 404);
  assert.ok(error.code.length > 0 && error.message.length > 0);
});

test("a wrong key is an AuthenticationError; no key at all is refused before any request", async () => {
  const error = await new Tikpost({ apiKey: "tp_wrong", baseUrl: SERVER_URL }).accounts.list().toArray().catch((e: unknown) => e);
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(error.status, 401);
  const saved = process.env.TIKPOST_API_KEY;
  delete process.env.TIKPOST_API_KEY;
  try {
    assert.throws(() => new Tikpost(), /TIKPOST_API_KEY/);
  } finally {
    process.env.TIKPOST_API_KEY = saved;
  }
});
