import assert from "node:assert/strict";
import { test } from "node:test";
import { NotFoundError, WebhookVerificationError, type WebhookEvent } from "../src/index.js";
import { VIDEO, client, connectAccount, listen, readBody } from "./support.js";

const tikpost = client();

interface Received {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

test("an endpoint's deliveries verify with its secret; the log shows them; deleted, it is gone", async () => {
  const received: Received[] = [];
  let arrived: () => void = () => undefined;
  const receiver = await listen((req, res) => {
    void readBody(req).then((body) => {
      received.push({ body, headers: req.headers });
      res.writeHead(204).end();
      arrived();
    });
  });
  try {
    const endpoint = await tikpost.webhookEndpoints.create({ url: `${receiver.url}/hooks`, events: ["post.published"] });
    assert.match(endpoint.secret, /^whsec_/);
    assert.ok((await tikpost.webhookEndpoints.list().toArray()).some((e) => e.id === endpoint.id));
    assert.equal((await tikpost.webhookEndpoints.get(endpoint.id)).url, `${receiver.url}/hooks`);

    const account = await connectAccount(tikpost);
    const video = await tikpost.media.upload(VIDEO);
    const post = await tikpost.posts.create({ account_id: account.id, video: video.id, privacy_level: "SELF_ONLY" });
    const mine = (): WebhookEvent | undefined =>
      received
        .map((r) => tikpost.webhooks.unwrap(r.body, r.headers, endpoint.secret))
        .find((event) => event.data.id === post.id);
    // Other files' posts publish meanwhile and reach this team-wide endpoint too.
    while (mine() === undefined) await new Promise<void>((resolve) => (arrived = resolve));
    const event = mine()!;
    assert.equal(event.type, "post.published");
    assert.equal(event.data.id, post.id);

    const delivery = received.find((r) => tikpost.webhooks.unwrap(r.body, r.headers, endpoint.secret).data.id === post.id)!;
    const tampered = Buffer.from(delivery.body.toString().replace(post.id, "post_other"));
    assert.throws(() => tikpost.webhooks.unwrap(tampered, delivery.headers, endpoint.secret), WebhookVerificationError);
    const otherSecret = await tikpost.webhookEndpoints.defaultSecret();
    assert.throws(() => tikpost.webhooks.unwrap(delivery.body, delivery.headers, otherSecret), WebhookVerificationError);
    assert.throws(() => tikpost.webhooks.unwrap(delivery.body, {}, endpoint.secret), WebhookVerificationError);

    const log = await tikpost.webhookDeliveries.list({ endpoint_id: endpoint.id }).toArray();
    const logged = log.find((d) => d.event_id === delivery.headers["webhook-id"]);
    assert.ok(logged, JSON.stringify(log));
    const detail = await tikpost.webhookDeliveries.get(logged.id);
    assert.ok(detail.attempts.length >= 1);

    await tikpost.webhookEndpoints.delete(endpoint.id);
    await assert.rejects(tikpost.webhookEndpoints.get(endpoint.id), NotFoundError);
  } finally {
    await receiver.close();
  }
});

test("listen() hands out verified deliveries and refuses forged ones", async () => {
  const hook = await tikpost.webhookEndpoints.listen();
  try {
    const account = await connectAccount(tikpost);
    const video = await tikpost.media.upload(VIDEO);
    const post = await tikpost.posts.create({
      account_id: account.id, video: video.id, privacy_level: "SELF_ONLY", webhook_url: hook.url,
    });
    const event = await hook.next(60_000);
    assert.equal(event.type, "post.published");
    assert.equal(event.data.id, post.id);
    const forged = await fetch(hook.url, {
      method: "POST",
      body: "{}",
      headers: { "webhook-id": "msg_x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
    });
    assert.equal(forged.status, 400);
    await assert.rejects(hook.next(200), /no webhook arrived/);
  } finally {
    await hook.close();
  }
});
