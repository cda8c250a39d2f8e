import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";
import { VIDEO, client, connectAccount } from "./support.js";

const run = promisify(execFile);
const example = (name: string): string => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

test("the README's quickstart uploads, posts, waits for published and verifies the webhook", async () => {
  await connectAccount(client());
  const { stdout } = await run(process.execPath, [example("quickstart.mjs"), VIDEO], { timeout: 120_000 });
  assert.match(stdout, /^post_\S+ published post\.published$/m);
  assert.match(stdout, /^0\/\d+$/m);
});

test("the schedule example shows a progress bar, schedules, lists and cancels", async () => {
  const { stdout } = await run(process.execPath, [example("schedule.mjs"), VIDEO], { timeout: 120_000 });
  const [, id] = /^scheduled (post_\S+) for /m.exec(stdout) ?? [];
  assert.ok(id, stdout);
  assert.match(stdout, /\] \d+\/\d+ bytes/);
  assert.ok(stdout.includes(`  ${id} at `), stdout);
  assert.ok(stdout.includes(`cancelled ${id}`), stdout);
});
