/**
 * A list as one async iterable: `for await (const post of client.posts.list())` walks every
 * page, asking for the next only when the loop gets there, so stopping early costs nothing.
 */

export interface Page<T> {
  items: T[];
  /** Absent or null on the last page (and on lists the server does not page). */
  next_cursor?: string | null;
}

export type PageFetcher<T> = (cursor: string | undefined) => Promise<Page<T>>;

export class Paginated<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: PageFetcher<T>) {}

  /** The pages themselves, for callers that show or checkpoint one page at a time. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.fetchPage(cursor);
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Every item, all pages read: for lists known to be small. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
