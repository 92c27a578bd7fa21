import { createHash } from 'node:crypto';

/**
 * A seeded sort key for an item id: the first 48 bits of sha256(`seed:id`). Hashing the id (rather than
 * drawing from a PRNG in input order) makes an item's place independent of how the input was ordered or
 * what else is in it, so adding one email never reshuffles the others.
 */
export function seededKey(seed: number, id: string): number {
  const digest = createHash('sha256').update(`${seed}:${id}`).digest();
  return digest.readUIntBE(0, 6);
}

/** Items sorted by their seeded key; ties (astronomically rare) broken by id so the order is total. */
export function seededShuffle<T>(items: readonly T[], seed: number, idOf: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ item, id: idOf(item), key: seededKey(seed, idOf(item)) }));
  keyed.sort((a, b) => a.key - b.key || compareStrings(a.id, b.id));
  return keyed.map((k) => k.item);
}

/** Code-unit comparison: locale-independent, so sorts are the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
