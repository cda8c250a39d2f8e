/** Outgoing webhooks: endpoints, the delivery log, and verifying what arrives. */
import { Webhook } from "standardwebhooks";
import type { Transport } from "../core/http.js";
import { type ListenOptions, type WebhookListener, startListener } from "../core/listener.js";
import { Paginated } from "../core/pagination.js";
import { WebhookVerificationError } from "../errors.js";
import type {
  Account,
  Post,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryListParams,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointCreated,
} from "../types.js";

export type EventType = NonNullable<WebhookEndpointCreate["events"]>[number];
type PostEventType = Exclude<EventType, "account.reauth_required">;

/** What a delivery carries: the post (or account) as the API would return it then. */
export type WebhookEvent =
  | { type: PostEventType; timestamp: string; data: Post }
  | { type: "account.reauth_required"; timestamp: string; data: Account };

/** Node's `IncomingHttpHeaders`, a fetch `Headers`, or a plain object. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export class WebhookEndpoints {
  constructor(private readonly http: Transport) {}

  /** The answer holds the endpoint's `whsec_…` secret, this once. */
  create(body: WebhookEndpointCreate): Promise<WebhookEndpointCreated> {
    return this.http.request("POST", "/v1/webhook-endpoints", { json: body });
  }

  list(): Paginated<WebhookEndpoint> {
    return new Paginated(() => this.http.request("GET", "/v1/webhook-endpoints"));
  }

  get(endpointId: string): Promise<WebhookEndpoint> {
    return this.http.request("GET", `/v1/webhook-endpoints/${encodeURIComponent(endpointId)}`);
  }

  async delete(endpointId: string): Promise<void> {
    await this.http.request("DELETE", `/v1/webhook-endpoints/${encodeURIComponent(endpointId)}`);
  }

  /** The secret signing deliveries to a post's own `webhook_url`; readable again at any time. */
  async defaultSecret(): Promise<string> {
    const answer = await this.http.request<{ secret: string }>("GET", "/v1/webhook-endpoints/default-secret");
    return answer.secret;
  }

  /**
   * A receiver on this machine (Node) for the deliveries to a post's own `webhook_url`, each
   * verified with the default secret: give a post `webhook_url: hook.url`, then `await hook.next()`.
   */
  async listen(options: ListenOptions = {}): Promise<WebhookListener> {
    const secret = await this.defaultSecret();
    const webhooks = new Webhooks();
    return startListener((body, headers) => webhooks.unwrap(body, headers, secret), options);
  }
}

export class WebhookDeliveries {
  constructor(private readonly http: Transport) {}

  /** Newest first (the server answers one page: `limit`, at most 500). */
  list(params: WebhookDeliveryListParams = {}): Paginated<WebhookDelivery> {
    return new Paginated(() => this.http.request("GET", "/v1/webhook-deliveries", { query: params }));
  }

  /** One delivery with every attempt made. */
  get(deliveryId: string): Promise<WebhookDeliveryDetail> {
    return this.http.request("GET", `/v1/webhook-deliveries/${encodeURIComponent(deliveryId)}`);
  }
}

export class Webhooks {
  /**
   * The event, once its Standard Webhooks signature and timestamp (within 5 minutes) check out
   * against `secret`; a WebhookVerificationError otherwise. Pass the raw body as received:
   * parsed and re-serialised JSON no longer matches its signature.
   */
  unwrap(body: string | Uint8Array, headers: HeaderSource, secret: string): WebhookEvent {
    const payload = typeof body === "string" ? body : new TextDecoder().decode(body);
    try {
      return new Webhook(secret).verify(payload, flatten(headers)) as WebhookEvent;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new WebhookVerificationError(`webhook not verified: ${reason}`, error);
    }
  }
}

function flatten(headers: HeaderSource): Record<string, string> {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return Object.fromEntries(headers.entries());
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
