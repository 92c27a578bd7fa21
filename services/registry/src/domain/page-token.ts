import { createHash } from 'node:crypto';

import { invalidArgument } from '@headstart/errors';

/** The last key of a page: pagination resumes strictly after it (keyset, not OFFSET). */
export type PageKey = readonly (string | number)[];

interface TokenBody {
  /** Which listing issued the token, so a ListModels token is not accepted by SearchVersions. */
  s: string;
  /** Fingerprint of the filter, so a token is not replayed against a different query. */
  f: string;
  k: (string | number)[];
}

function fingerprint(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 12);
}

/**
 * Opaque page tokens: base64url JSON of the last key plus the listing and filter they belong to.
 * Clients must treat them as opaque; the format may change between releases.
 */
export function encodePageToken(scope: string, filter: unknown, key: PageKey): string {
  const body: TokenBody = { s: scope, f: fingerprint(filter), k: [...key] };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * Decodes a token from {@link encodePageToken}; an empty token means the first page. `shape` lists
 * the type of each key part; anything else is INVALID_ARGUMENT.
 */
export function decodePageToken(
  token: string,
  scope: string,
  filter: unknown,
  shape: readonly ('string' | 'number')[],
): PageKey | undefined {
  if (token === '') return undefined;
  const malformed = () =>
    invalidArgument('page_token is malformed: pass the next_page_token of a previous response unchanged');
  let body: Partial<TokenBody>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw malformed();
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw malformed();
  }
  if (typeof body !== 'object' || body === null || body.s !== scope || !Array.isArray(body.k))
    throw malformed();
  const key = body.k;
  if (key.length !== shape.length || key.some((part, i) => typeof part !== shape[i])) throw malformed();
  if (key.some((part) => typeof part === 'number' && !Number.isSafeInteger(part))) throw malformed();
  if (body.f !== fingerprint(filter)) {
    throw invalidArgument(
      'page_token was issued for a different filter: restart the listing without a token',
    );
  }
  return key;
}
