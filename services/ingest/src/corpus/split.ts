import { createHash } from 'node:crypto';

/**
 * A document's place in the seeded order: 48 bits of sha256(seed, document digest). It depends only on
 * the seed and the text, not on where the document sits in the file, so a document keeps its split
 * when the corpus is re-uploaded with documents added or reordered (as far as the count allows).
 */
export function splitKey(seed: number, digest: Uint8Array): number {
  const seedBytes = Buffer.alloc(8);
  seedBytes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(seed)));
  return createHash('sha256').update(seedBytes).update(digest).digest().readUIntBE(0, 6);
}

/**
 * How many of `documents` go to validation: round(documents * fraction), but at least one when the
 * fraction is above zero and at least one always stays for training. A single document trains.
 */
export function validationCount(documents: number, fraction: number): number {
  if (fraction <= 0 || documents < 2) return 0;
  return Math.min(documents - 1, Math.max(1, Math.round(documents * fraction)));
}

/** Marks (1) the `count` documents with the smallest keys, ties broken by position. */
export function chooseValidation(keys: readonly number[], count: number): Uint8Array {
  const marks = new Uint8Array(keys.length);
  if (count <= 0) return marks;
  const order = Uint32Array.from(keys.keys());
  order.sort((a, b) => keys[a]! - keys[b]! || a - b);
  for (let i = 0; i < count; i++) marks[order[i]!] = 1;
  return marks;
}
