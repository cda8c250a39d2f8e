/**
 * Every request the SDK makes goes through `Transport.request`: one place for the key header,
 * timeouts, retries and turning answers into values or typed errors.
 */
import { APIConnectionError, TikpostError, errorFor, isRetryableStatus } from "../errors.js";
import { DEFAULT_RETRY, type RetryPolicy, backoffMs, parseRetryAfter, sleep } from "./retry.js";

export type Query = Record<string, string | number | boolean | null | undefined>;

/** A request body made afresh for each attempt: a stream cannot be sent twice. */
export interface Body {
  init: BodyInit;
  headers: Record<string, string>;
  /** Called once the server has taken the whole body (for progress a stream cannot see). */
  onSent?: () => void;
}

export interface RequestOptions {
  query?: Query | undefined;
  json?: unknown;
  body?: (() => Promise<Body>) | undefined;
  /** Sent on a POST or DELETE (minted once per call when not given), kept for every retry. */
  idempotencyKey?: string | undefined;
  /** Per-attempt limit; `null` for none (long uploads). Defaults to the client's. */
  timeoutMs?: number | null | undefined;
  signal?: AbortSignal | undefined;
}

export interface TransportConfig {
  apiKey: string;
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  fetch: typeof fetch;
}

export class Transport {
  readonly baseUrl: string;
  private readonly policy: RetryPolicy;

  constructor(private readonly config: TransportConfig) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, "");
    this.policy = { ...DEFAULT_RETRY, maxRetries: config.maxRetries };
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = {
      "X-API-Key": this.config.apiKey,
      Accept: "application/json",
    };
    // Minted here, once per logical call, so every retry of a create is the same create and a
    // retried change (a cancel, an approve) whose answer was lost is answered as made.
    if (method === "POST" || method === "DELETE") {
      headers["Idempotency-Key"] = options.idempotencyKey ?? crypto.randomUUID();
    }
    for (let attempt = 0; ; attempt += 1) {
      const retriesLeft = attempt < this.policy.maxRetries;
      let response: Response;
      // Outside the try: a file that cannot be opened is the caller's error, not the network's.
      const body = await options.body?.();
      try {
        response = await this.send(method, url, headers, options, body);
      } catch (error) {
        if (error instanceof TikpostError || options.signal?.aborted) throw error;
        const failure = connectionError(error);
        if (!retriesLeft) throw failure;
        await sleep(backoffMs(this.policy, attempt, null), options.signal);
        continue;
      }
      if (response.ok) {
        const value = (await parse(response)) as T;
        body?.onSent?.();
        return value;
      }
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      if (retriesLeft && isRetryableStatus(response.status)) {
        await response.body?.cancel();
        await sleep(backoffMs(this.policy, attempt, retryAfter), options.signal);
        continue;
      }
      throw errorFor(response.status, await parseQuietly(response), retryAfter);
    }
  }

  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    options: RequestOptions,
    body: Body | undefined,
  ): Promise<Response> {
    const init: RequestInit & { duplex?: "half" } = { method, headers: { ...headers } };
    if (options.json !== undefined) {
      init.body = JSON.stringify(options.json);
      Object.assign(init.headers as Record<string, string>, { "Content-Type": "application/json" });
    } else if (body !== undefined) {
      init.body = body.init;
      Object.assign(init.headers as Record<string, string>, body.headers);
      // A streamed body (Node's fetch, or a browser over HTTP/2) must say it is sent half-duplex.
      if (typeof ReadableStream !== "undefined" && body.init instanceof ReadableStream) {
        init.duplex = "half";
      }
    }
    const timeoutMs = options.timeoutMs === undefined ? this.config.timeoutMs : options.timeoutMs;
    const signals = [options.signal, timeoutMs === null ? undefined : AbortSignal.timeout(timeoutMs)];
    const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    if (active.length > 0) init.signal = AbortSignal.any(active);
    return await this.config.fetch(url, init);
  }

  private url(path: string, query: Query | undefined): string {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }
}

function connectionError(error: unknown): APIConnectionError {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return new APIConnectionError("the request timed out", error, "timeout");
  }
  const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return new APIConnectionError(`could not reach tikpost${reason ? `: ${reason}` : ""}`, error);
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new APIConnectionError(`tikpost sent a body that is not JSON (${response.status})`, error, "invalid_response");
  }
}

async function parseQuietly(response: Response): Promise<unknown> {
  try {
    return await parse(response);
  } catch {
    return undefined;
  }
}
