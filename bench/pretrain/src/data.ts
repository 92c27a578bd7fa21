// Deterministic synthetic MLM batches: token ids, the masked positions (a fixed count per batch, so every
// step has the same shapes), their labels, and the corrupted inputs (80% [MASK], 10% random, 10% kept).
import type { BenchConfig } from './config';
import { maskedRows } from './config';

export const MASK_ID = 4;
const FIRST_REGULAR_ID = 5;

export interface MlmBatch {
  /** [batch * seq] corrupted input ids. */
  inputIds: Int32Array;
  /** [masked] flat positions (row * seq + col) of the masked tokens, ascending. */
  positions: Int32Array;
  /** [masked] original ids at `positions`. */
  labels: Int32Array;
}

/** mulberry32: small, fast, and identical wherever the benchmark is reproduced. */
export function createRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeBatch(c: BenchConfig, rng: () => number): MlmBatch {
  const tokens = c.batch * c.seq;
  const span = c.vocab - FIRST_REGULAR_ID;
  // Zipf-like ids (small ids frequent), closer to real text than uniform ones.
  const original = Int32Array.from(
    { length: tokens },
    () => FIRST_REGULAR_ID + Math.floor(span * rng() ** 3),
  );
  const m = maskedRows(c);
  const order = Int32Array.from({ length: tokens }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng() * (tokens - i));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const positions = order.slice(0, m).sort();
  const labels = Int32Array.from(positions, (p) => original[p] as number);
  const inputIds = original.slice();
  for (const p of positions) {
    const u = rng();
    if (u < 0.8) inputIds[p] = MASK_ID;
    else if (u < 0.9) inputIds[p] = FIRST_REGULAR_ID + Math.floor(span * rng());
  }
  return { inputIds, positions, labels };
}
