/**
 * A `multipart/form-data` body around one file: from a path, its bytes flow from disk to the
 * socket a chunk at a time and `onProgress` sees each chunk go.
 *
 * Built by hand because FormData cannot report progress and, in Node, would need the file as
 * a Blob; with a known size the body's Content-Length is exact, so no chunked encoding either.
 */
import type { Body } from "./http.js";

export interface Progress {
  sentBytes: number;
  totalBytes: number;
}

export type ProgressCallback = (progress: Progress) => void;

/** Where an upload's bytes come from: a path (Node) or a Blob/File (Node or a browser). */
export type UploadSource = string | Blob;

interface Described {
  size: number;
  filename: string;
  contentType: string;
}

interface Opened extends Described {
  stream: ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

async function describe(source: UploadSource, filename?: string, contentType?: string): Promise<Described> {
  if (typeof source === "string") {
    const [{ stat }, { basename }] = await Promise.all([import("node:fs/promises"), import("node:path")]);
    const info = await stat(source);
    return { size: info.size, filename: filename ?? basename(source), contentType: contentType ?? guessType(source) };
  }
  const named = typeof File !== "undefined" && source instanceof File ? source.name : "upload";
  return {
    size: source.size,
    filename: filename ?? named,
    contentType: contentType ?? (source.type || guessType(named)),
  };
}

async function open(path: string): Promise<ReadableStream<Uint8Array>> {
  const [{ createReadStream }, { Readable }] = await Promise.all([import("node:fs"), import("node:stream")]);
  return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
}

/**
 * A factory of fresh bodies, one per attempt: a retried upload restarts from byte 0 with the
 * file opened anew, since the server keeps nothing of a cut upload.
 *
 * A path streams through `framed` (progress per chunk). A Blob goes as a Blob built around it,
 * which every fetch sends without reading it into script memory; browsers cannot stream a
 * request body over HTTP/1.1, so its progress is reported at the start and at the end only.
 */
export async function multipartBody(
  source: UploadSource,
  onProgress?: ProgressCallback,
  filename?: string,
  contentType?: string,
): Promise<() => Promise<Body>> {
  const file = await describe(source, filename, contentType);
  const boundary = `tikpost-${crypto.randomUUID()}`;
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.filename)}"\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const headers = {
    "Content-Type": `multipart/form-data; boundary=${boundary}`,
    "Content-Length": String(head.length + file.size + tail.length),
  };
  return async () => {
    if (typeof source !== "string") {
      onProgress?.({ sentBytes: 0, totalBytes: file.size });
      return { init: new Blob([head, source, tail]), headers, onSent: () => onProgress?.({ sentBytes: file.size, totalBytes: file.size }) };
    }
    const opened: Opened = { ...file, stream: await open(source) };
    return { init: framed(head, opened, tail, onProgress), headers };
  };
}

function framed(
  head: Uint8Array,
  file: Opened,
  tail: Uint8Array,
  onProgress: ProgressCallback | undefined,
): ReadableStream<Uint8Array> {
  const reader = file.stream.getReader();
  let sent = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(head);
        onProgress?.({ sentBytes: 0, totalBytes: file.size });
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      sent += value.byteLength;
      controller.enqueue(value);
      onProgress?.({ sentBytes: sent, totalBytes: file.size });
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

function quoted(name: string): string {
  return name.replace(/["\\\r\n]/g, "_");
}

const TYPES: Record<string, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  zip: "application/zip",
};

function guessType(name: string): string {
  const extension = name.split(".").pop()?.toLowerCase() ?? "";
  return TYPES[extension] ?? "application/octet-stream";
}
