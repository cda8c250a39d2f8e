/** Videos and photos: uploaded (streamed, never held whole in memory) or imported by URL. */
import type { Transport } from "../core/http.js";
import { type ProgressCallback, type UploadSource, multipartBody } from "../core/multipart.js";
import { Paginated } from "../core/pagination.js";
import type { Media, MediaListParams } from "../types.js";

export interface UploadOptions {
  onProgress?: ProgressCallback;
  /** The name and type the server records (a label: it measures the bytes itself). */
  filename?: string;
  contentType?: string;
  /** Per attempt; by default none, since a large video may take long to send. */
  timeoutMs?: number | null;
  signal?: AbortSignal;
}

export class MediaResource {
  constructor(private readonly http: Transport) {}

  /** A path (Node: streamed from disk) or a Blob/File; probed and checked on arrival. */
  async upload(source: UploadSource, options: UploadOptions = {}): Promise<Media> {
    return this.http.request("POST", "/v1/media", {
      body: await multipartBody(source, options.onProgress, options.filename, options.contentType),
      timeoutMs: options.timeoutMs ?? null,
      signal: options.signal,
    });
  }

  /** A carousel's slides as one `.zip` (`slide-1.jpg`, …): one media each, in slide order. */
  async uploadZip(source: UploadSource, options: UploadOptions = {}): Promise<Media[]> {
    const answer = await this.http.request<{ items: Media[] }>("POST", "/v1/media/zip", {
      body: await multipartBody(source, options.onProgress, options.filename, options.contentType ?? "application/zip"),
      timeoutMs: options.timeoutMs ?? null,
      signal: options.signal,
    });
    return answer.items;
  }

  /** The server fetches the file itself (so the URL must be reachable from it). */
  importFromUrl(url: string): Promise<Media> {
    return this.http.request("POST", "/v1/media", { json: { url }, timeoutMs: null });
  }

  get(mediaId: string): Promise<Media> {
    return this.http.request("GET", `/v1/media/${encodeURIComponent(mediaId)}`);
  }

  /** Newest first, every page. */
  list(params: MediaListParams = {}): Paginated<Media> {
    return new Paginated((cursor) => this.http.request("GET", "/v1/media", { query: { ...params, cursor } }));
  }

  /** 409 `media_in_use` (ConflictError) while an unfinished post needs it. */
  async delete(mediaId: string): Promise<void> {
    await this.http.request("DELETE", `/v1/media/${encodeURIComponent(mediaId)}`);
  }
}
