/**
 * One error class per kind of failure, so callers branch with `instanceof` rather than on
 * status numbers; each carries what tikpost said (`code`, `message`, `field`) verbatim.
 */

export interface ErrorBody {
  code: string;
  message: string;
  field?: string | null;
}

export class TikpostError extends Error {
  readonly code: string;
  readonly field: string | null;
  /** The HTTP status, or 0 when no answer came at all. */
  readonly status: number;
  /** Whether the same request may succeed later (the SDK has already retried it). */
  readonly retryable: boolean;

  constructor(status: number, body: ErrorBody, retryable: boolean, options?: ErrorOptions) {
    super(body.message, options);
    this.name = new.target.name;
    this.code = body.code;
    this.field = body.field ?? null;
    this.status = status;
    this.retryable = retryable;
  }
}

export class AuthenticationError extends TikpostError {}
export class PermissionDeniedError extends TikpostError {}
export class NotFoundError extends TikpostError {}
export class ConflictError extends TikpostError {}
export class ValidationError extends TikpostError {}
export class ServerError extends TikpostError {}

export class RateLimitError extends TikpostError {
  /** Seconds the server asked us to wait (its Retry-After), if it said. */
  readonly retryAfter: number | null;

  constructor(status: number, body: ErrorBody, retryAfter: number | null) {
    super(status, body, true);
    this.retryAfter = retryAfter;
  }
}

/** No answer: the connection failed, was cut, or the request timed out. */
export class APIConnectionError extends TikpostError {
  constructor(message: string, cause: unknown, code = "connection_error") {
    super(0, { code, message }, true, { cause });
  }
}

/** A timeout, a rate limit or the server's own trouble: the same request may work later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The error for an answer that was not a success, from tikpost's `{"error": {...}}` body. */
export function errorFor(status: number, payload: unknown, retryAfter: number | null): TikpostError {
  const body = errorBody(status, payload);
  const retryable = isRetryableStatus(status);
  if (status === 429) return new RateLimitError(status, body, retryAfter);
  if (status === 401) return new AuthenticationError(status, body, retryable);
  if (status === 403) return new PermissionDeniedError(status, body, retryable);
  if (status === 404) return new NotFoundError(status, body, retryable);
  if (status === 409) return new ConflictError(status, body, retryable);
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return new ValidationError(status, body, retryable);
  }
  if (status >= 500) return new ServerError(status, body, retryable);
  return new TikpostError(status, body, retryable);
}

function errorBody(status: number, payload: unknown): ErrorBody {
  if (typeof payload === "object" && payload !== null && "error" in payload) {
    const inner = (payload as { error: unknown }).error;
    if (typeof inner === "object" && inner !== null && "code" in inner && "message" in inner) {
      const { code, message, field } = inner as Record<string, unknown>;
      return {
        code: String(code),
        message: String(message),
        field: typeof field === "string" ? field : null,
      };
    }
  }
  return { code: `http_${status}`, message: `tikpost answered HTTP ${status}` };
}

/** `posts.wait` gave up before the post reached a final state; `post` is how it was last seen. */
export class WaitTimeoutError extends TikpostError {
  readonly post: unknown;

  constructor(message: string, post: unknown) {
    super(0, { code: "wait_timeout", message }, true);
    this.post = post;
  }
}

/** A webhook whose signature or timestamp did not check out: do not trust its body. */
export class WebhookVerificationError extends TikpostError {
  constructor(message: string, cause: unknown) {
    super(0, { code: "invalid_webhook_signature", message }, false, { cause });
  }
}
