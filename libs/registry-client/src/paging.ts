/** One page of a listing and the token of the next one ('' when this was the last). */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

/** Walks every page, starting from `firstToken`, yielding items one by one. */
export async function* allPages<T>(
  fetchPage: (pageToken: string) => Promise<Page<T>>,
  firstToken = '',
): AsyncGenerator<T> {
  let token = firstToken;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextPageToken;
  } while (token !== '');
}

/** Drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
