/** Posts: created at once (202), published in the background; `wait` follows one to its end. */
import { sleep } from "../core/retry.js";
import type { Transport } from "../core/http.js";
import { Paginated } from "../core/pagination.js";
import { WaitTimeoutError } from "../errors.js";
import type { Post, PostCreate, PostListParams, PostStatus, PostUpdate } from "../types.js";

/** The statuses a post never leaves on its own (`retry` starts it again). */
export const FINAL_STATUSES: ReadonlySet<PostStatus> = new Set(["published", "in_inbox", "failed", "cancelled"]);

export interface CreateOptions {
  /** Defaults to one minted for this call; give your own to make a create safe across restarts. */
  idempotencyKey?: string;
}

export interface WaitOptions {
  /** How long to follow the post; a WaitTimeoutError after that. Default 10 minutes. */
  timeoutMs?: number;
  /** The pause between looks. Default 1 s. */
  intervalMs?: number;
  signal?: AbortSignal;
}

export class Posts {
  constructor(private readonly http: Transport) {}

  create(body: PostCreate, options: CreateOptions = {}): Promise<Post> {
    return this.http.request("POST", "/v1/posts", { json: body, idempotencyKey: options.idempotencyKey });
  }

  get(postId: string): Promise<Post> {
    return this.http.request("GET", path(postId));
  }

  /** Newest first, every page, filtered by `status` and `account_id`. */
  list(params: PostListParams = {}): Paginated<Post> {
    return new Paginated((cursor) => this.http.request("GET", "/v1/posts", { query: { ...params, cursor } }));
  }

  /** Only while `scheduled` or `queued`: a ConflictError (`post_not_cancellable`) after. */
  cancel(postId: string): Promise<Post> {
    return this.http.request("DELETE", path(postId));
  }

  /** A failed or cancelled post, published again as a new attempt. */
  retry(postId: string): Promise<Post> {
    return this.http.request("POST", `${path(postId)}/retry`);
  }

  /** Edit a post awaiting review, or move a scheduled one (`scheduled_at`). */
  update(postId: string, changes: PostUpdate): Promise<Post> {
    return this.http.request("PATCH", path(postId), { json: changes });
  }

  approve(postId: string): Promise<Post> {
    return this.http.request("POST", `${path(postId)}/approve`);
  }

  reject(postId: string, reason: string): Promise<Post> {
    return this.http.request("POST", `${path(postId)}/reject`, { json: { reason } });
  }

  /** The post once final (`published`, `in_inbox`, `failed`, `cancelled`); a failed post is
   * returned, not thrown: its `error` says why. */
  async wait(postId: string, options: WaitOptions = {}): Promise<Post> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    const interval = options.intervalMs ?? 1_000;
    for (;;) {
      const post = await this.get(postId);
      if (FINAL_STATUSES.has(post.status)) return post;
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimeoutError(`post ${postId} is still ${post.status}`, post);
      await sleep(Math.min(interval, left), options.signal);
    }
  }
}

function path(postId: string): string {
  return `/v1/posts/${encodeURIComponent(postId)}`;
}
