/** The client: configuration read once, and one resource object per part of the API. */
import { Transport } from "./core/http.js";
import { Accounts } from "./resources/accounts.js";
import { MediaResource } from "./resources/media.js";
import { Posts } from "./resources/posts.js";
import { WebhookDeliveries, WebhookEndpoints, Webhooks } from "./resources/webhooks.js";

export interface ClientOptions {
  /** Defaults to TIKPOST_API_KEY (in Node). */
  apiKey?: string;
  /** Defaults to TIKPOST_URL (in Node), else http://127.0.0.1:8000. */
  baseUrl?: string;
  /** Retries after the first try, for connection errors, 408, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Per attempt, in milliseconds (uploads have none unless asked). Default 60 000. */
  timeoutMs?: number;
  /** Another fetch (a proxy agent's, a test's); the global one by default. */
  fetch?: typeof fetch;
}

const DEFAULT_URL = "http://127.0.0.1:8000";

export class Tikpost {
  readonly accounts: Accounts;
  readonly media: MediaResource;
  readonly posts: Posts;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly webhookDeliveries: WebhookDeliveries;
  /** Needs no key: verifying a delivery uses only its secret. */
  readonly webhooks = new Webhooks();

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? fromEnv("TIKPOST_API_KEY");
    if (!apiKey) {
      throw new Error("no API key: pass { apiKey } or set TIKPOST_API_KEY (`tikpost keys create`)");
    }
    const http = new Transport({
      apiKey,
      baseUrl: options.baseUrl ?? fromEnv("TIKPOST_URL") ?? DEFAULT_URL,
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    });
    this.accounts = new Accounts(http);
    this.media = new MediaResource(http);
    this.posts = new Posts(http);
    this.webhookEndpoints = new WebhookEndpoints(http);
    this.webhookDeliveries = new WebhookDeliveries(http);
  }
}

/** Node's environment where there is one; browsers and workers have none. */
function fromEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name] || undefined;
}
