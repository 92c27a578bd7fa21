import { randomBytes } from 'node:crypto';

// Crockford base32: no I, L, O, U, so ids survive being read aloud or typed.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID (48 bits of milliseconds, 80 random bits, 26 characters): ids of jobs and uploads sort by
 * creation time and are unique without coordination. Jobs also use theirs as the registry run id and
 * idempotency key, so a job re-run after a crash finds the version its first run registered.
 */
export function newId(now: number = Date.now()): string {
  let time = '';
  let rest = Math.floor(now);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  let value = 0n;
  for (const byte of randomBytes(10)) value = (value << 8n) | BigInt(byte);
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = ALPHABET.charAt(Number(value & 31n)) + random;
    value >>= 5n;
  }
  return time + random;
}

export function isId(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}
