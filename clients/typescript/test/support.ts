/**
 * What the tests share: the server they run against (started by tests/clients/test_typescript.py),
 * a sandbox creator's consent driven like a browser, a webhook receiver, and a faulty hop.
 */
import { once } from "node:events";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Tikpost, type Account, type ClientOptions, type ConnectOptions } from "../src/index.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through tests/clients/test_typescript.py`);
  return value;
}

export const SERVER_URL = required("TIKPOST_URL");
export const VIDEO = required("TIKPOST_TEST_VIDEO");
/** A .zip of two JPEG slides. */
export const SLIDES = required("TIKPOST_TEST_SLIDES");
/** An origin the server accepts as a connect `redirectUri` (nothing listens there). */
export const REDIRECT_ORIGIN = required("TIKPOST_TEST_REDIRECT_ORIGIN");

export function client(options: ClientOptions = {}): Tikpost {
  return new Tikpost({ maxRetries: 0, ...options });
}

/** A client of another team, for business accounts: the examples post SELF_ONLY to the main
 * team's first ready account, which a business account (public only) would refuse. */
export function businessClient(): Tikpost {
  return client({ apiKey: required("TIKPOST_TEST_BUSINESS_API_KEY") });
}

/** Unique per test run and file, so files running side by side never see each other's things. */
export function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&quot;": '"', "&#x27;": "'", "&lt;": "<", "&gt;": ">" };

/**
 * Opens `authorizeUrl` and approves as a new sandbox creator `username`; returns where
 * tikpost's callback finally sends the browser (its 303's Location), or null for its own page.
 */
export async function consent(authorizeUrl: string, username: string): Promise<URL | null> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`consent page: ${page.status}`);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/type="hidden" name="([a-z_]+)" value="([^"]*)"/g)) {
    form.append(name!, value!.replace(/&(amp|quot|#x27|lt|gt);/g, (entity) => ENTITIES[entity]!));
  }
  for (const [, scope] of html.matchAll(/name="granted_scope" value="([^"]*)" checked/g)) form.append("granted_scope", scope!);
  form.set("decision", "approve");
  form.set("username", username);
  const redirect = await fetch(page.url, { method: "POST", body: form, redirect: "manual" });
  if (redirect.status !== 302) throw new Error(`consent: ${redirect.status} ${await redirect.text()}`);
  const callback = await fetch(redirect.headers.get("location")!, { redirect: "manual" });
  if (callback.status === 303) return new URL(callback.headers.get("location")!);
  if (callback.status !== 200) throw new Error(`callback: ${callback.status} ${await callback.text()}`);
  return null;
}

/** A new sandbox creator connected to the test team (`{ api: "business" }`: a business account). */
export async function connectAccount(tikpost: Tikpost, username = unique("creator"), options: ConnectOptions = {}): Promise<Account> {
  const started = await tikpost.accounts.connect(options);
  await consent(started.authorize_url, username);
  for await (const account of tikpost.accounts.list()) if (account.username === username) return account;
  throw new Error(`${username} did not appear among the accounts`);
}

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server = createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface Hit {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
}

/**
 * A hop in front of the real server that misbehaves as `plan` says, one entry per request:
 * a status of its own (`{ status, headers }`), `"cut"` (forward, let tikpost act, then drop
 * the connection before any answer: the client cannot know it worked), or `"pass"` (also
 * what every request past the plan gets).
 */
export type Step = "pass" | "cut" | { status: number; headers?: Record<string, string>; body?: unknown };

const HOP_HEADERS = new Set(["content-encoding", "content-length", "transfer-encoding", "connection"]);

export async function faultyHop(plan: Step[]): Promise<Listening & { hits: Hit[] }> {
  const hits: Hit[] = [];
  const hop = await listen((req, res) => {
    void (async () => {
      const key = req.headers["idempotency-key"];
      hits.push({ method: req.method!, path: req.url!, idempotencyKey: Array.isArray(key) ? key[0] : key });
      const step = plan[hits.length - 1] ?? "pass";
      const body = await readBody(req);
      if (typeof step === "object") {
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
        res.end(JSON.stringify(step.body ?? { error: { code: "injected", message: "injected by the test", field: null } }));
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) headers.set(name, value);
      }
      const init: RequestInit = { method: req.method!, headers };
      if (body.length > 0) init.body = new Uint8Array(body);
      const answer = await fetch(SERVER_URL + req.url, init);
      const payload = Buffer.from(await answer.arrayBuffer());
      if (step === "cut") {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([name]) => !HOP_HEADERS.has(name))));
      res.end(payload);
    })();
  });
  return Object.assign(hop, { hits });
}
