import { randomBytes } from 'node:crypto';

// Crockford base32: no I, L, O, U, so ids survive being read aloud or typed.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/**
 * A ULID: 48 bits of milliseconds then 80 random bits, 26 characters. Ids sort by creation time
 * (which keeps B-tree inserts local) and are unique without coordination, so a version id can be
 * handed to other systems (it is the Nats-Msg-Id of the version's events) before any lookup.
 */
export function newVersionId(now: number = Date.now()): string {
  return encodeTime(now) + encodeRandom(randomBytes(10));
}

/** True for a string shaped like an id produced by {@link newVersionId}. */
export function isVersionId(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = Math.floor(ms);
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  // 80 bits = 16 groups of 5 bits, read most significant first.
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < RANDOM_CHARS; i++) {
    out = ALPHABET.charAt(Number(value & 31n)) + out;
    value >>= 5n;
  }
  return out;
}
