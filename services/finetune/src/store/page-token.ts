import { invalidArgument } from '@headstart/errors';

/** Keyset page tokens over (created_ms DESC, id DESC): stable while rows are added. */
export function encodePageToken(createdMs: number, id: string): string {
  return Buffer.from(`${createdMs}:${id}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): { createdMs: number; id: string } {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const cut = text.indexOf(':');
  const createdMs = Number(text.slice(0, cut));
  const id = text.slice(cut + 1);
  if (cut <= 0 || id === '' || !Number.isSafeInteger(createdMs)) {
    throw invalidArgument('page_token is not one this service issued', { field: 'page_token' });
  }
  return { createdMs, id };
}
