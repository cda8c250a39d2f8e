/**
 * `webhookEndpoints.listen()`: a receiver on this machine, for scripts and local work (Node).
 *
 * A script that posts and wants to see its webhook arrive would otherwise write an HTTP server
 * first. This one listens on loopback, verifies every delivery with `webhooks.unwrap` (a forged
 * one is answered 400 and never handed out) and gives the events out in arrival order. The
 * server must be allowed to call private addresses (`TIKPOST_ALLOW_PRIVATE_URLS=true`); in
 * production, receive webhooks on a public HTTPS endpoint instead.
 */
import type { WebhookEvent } from "../resources/webhooks.js";

export interface ListenOptions {
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
}

export interface WebhookListener {
  /** The `webhook_url` to give a post. */
  readonly url: string;
  /** The next verified event; rejects when none arrives within `timeoutMs` (default 60 s). */
  next(timeoutMs?: number): Promise<WebhookEvent>;
  close(): Promise<void>;
}

type Unwrap = (body: string, headers: Record<string, string | string[] | undefined>) => WebhookEvent;

export async function startListener(unwrap: Unwrap, options: ListenOptions = {}): Promise<WebhookListener> {
  const { createServer } = await import("node:http");
  const host = options.host ?? "127.0.0.1";
  const arrived: WebhookEvent[] = [];
  const waiting: Array<(event: WebhookEvent) => void> = [];
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    let event: WebhookEvent;
    try {
      event = unwrap(body, request.headers);
    } catch {
      response.writeHead(400).end();
      return;
    }
    response.writeHead(204).end();
    const taker = waiting.shift();
    if (taker) taker(event);
    else arrived.push(event);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}/`,
    next(timeoutMs = 60_000): Promise<WebhookEvent> {
      const ready = arrived.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(taker), 1);
          reject(new Error(`no webhook arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        const taker = (event: WebhookEvent): void => {
          clearTimeout(timer);
          resolve(event);
        };
        waiting.push(taker);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
