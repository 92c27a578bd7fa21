import { Metadata } from '@grpc/grpc-js';

/** Prefix of the metadata entries that carry HeadstartError details across gRPC. */
export const DETAIL_METADATA_PREFIX = 'headstart-detail-';

/** A gRPC status as grpc-js hands it to clients: code, details text, trailing metadata. */
export interface ServiceErrorLike {
  code: number;
  details: string;
  metadata: Metadata;
}

export function isServiceErrorLike(err: unknown): err is ServiceErrorLike {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as Partial<ServiceErrorLike>;
  return (
    typeof candidate.code === 'number' &&
    Number.isInteger(candidate.code) &&
    candidate.code >= 0 &&
    candidate.code <= 16 &&
    typeof candidate.details === 'string' &&
    candidate.metadata instanceof Metadata
  );
}

/*
 * Metadata keys may only hold [0-9a-z_.-], so detail keys are escaped reversibly: `_` becomes `__`, an
 * upper-case letter X becomes `_x`, and any other character becomes `_.` plus four hex digits.
 * Values must be printable ASCII, so they are percent-encoded.
 */
export function encodeDetailKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (/^[0-9a-z.-]$/.test(ch)) out += ch;
    else if (ch === '_') out += '__';
    else if (/^[A-Z]$/.test(ch)) out += `_${ch.toLowerCase()}`;
    else {
      for (const unit of ch.split('')) out += `_.${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  }
  return out;
}

export function decodeDetailKey(encoded: string): string | undefined {
  let out = '';
  for (let i = 0; i < encoded.length; i++) {
    const ch = encoded.charAt(i);
    if (ch !== '_') {
      out += ch;
      continue;
    }
    const next = encoded.charAt(i + 1);
    if (next === '_') {
      out += '_';
      i += 1;
    } else if (/^[a-z]$/.test(next)) {
      out += next.toUpperCase();
      i += 1;
    } else if (next === '.') {
      const hex = encoded.slice(i + 2, i + 6);
      if (!/^[0-9a-f]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
    } else {
      return undefined;
    }
  }
  return out;
}

export function writeDetailMetadata(
  details: Record<string, string>,
  metadata: Metadata = new Metadata(),
): Metadata {
  for (const [key, value] of Object.entries(details)) {
    metadata.set(DETAIL_METADATA_PREFIX + encodeDetailKey(key), encodeURIComponent(value));
  }
  return metadata;
}

/** Details found in `metadata`, or undefined when it carries none. Malformed entries are skipped. */
export function readDetailMetadata(metadata: Metadata): Record<string, string> | undefined {
  let details: Record<string, string> | undefined;
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (!key.startsWith(DETAIL_METADATA_PREFIX) || typeof values !== 'string') continue;
    const name = decodeDetailKey(key.slice(DETAIL_METADATA_PREFIX.length));
    if (name === undefined) continue;
    try {
      (details ??= {})[name] = decodeURIComponent(values);
    } catch {
      // A value that is not valid percent-encoding was not written by us; ignore it.
    }
  }
  return details;
}
