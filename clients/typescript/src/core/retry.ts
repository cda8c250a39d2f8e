/** When to try a request again, and how long to wait first. */

export interface RetryPolicy {
  maxRetries: number;
  /** The first backoff, doubled each attempt up to `maxDelayMs`, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Full jitter (a random wait up to the exponential bound) keeps many clients that failed
 * together from retrying together; a server's Retry-After is a floor, never shortened.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterSec: number | null): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.random() * bound;
  return retryAfterSec === null ? jittered : Math.max(retryAfterSec * 1000, jittered);
}

/** Retry-After as seconds: a number, or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
