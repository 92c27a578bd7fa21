// The order an epoch visits the training examples: a seeded shuffle, then, within windows of
// BUCKET_BATCHES batches, rows sorted by length so that a batch holds texts of similar length, and the
// batches themselves shuffled. A batch is padded to its longest row, so on texts of uneven length
// (dictionary definitions run from 5 to 100+ tokens) this cuts the padded tokens a step computes by about
// half, while every batch is still a random draw from a random window (Hugging Face's group_by_length).
import { createRng } from '@headstart/model';
import { deriveSeed } from './seeds';

/** Batches per window whose rows are sorted by length. */
export const BUCKET_BATCHES = 16;

/**
 * A permutation of 0..lengths.length-1, deterministic in (seed, epoch, lengths); consecutive runs of
 * `batchSize` entries are the epoch's batches.
 */
export function epochOrder(
  lengths: ArrayLike<number>,
  batchSize: number,
  seed: number,
  epoch: number,
): number[] {
  const rng = createRng(deriveSeed(seed, `epoch:${epoch}`));
  const shuffled = rng.shuffle(Array.from({ length: lengths.length }, (_, i) => i));
  const window = batchSize * BUCKET_BATCHES;
  const batches: number[][] = [];
  for (let start = 0; start < shuffled.length; start += window) {
    const rows = shuffled
      .slice(start, start + window)
      .sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let b = 0; b < rows.length; b += batchSize) batches.push(rows.slice(b, b + batchSize));
  }
  // A short last batch stays last, so every other batch is full whatever the shuffle.
  const last =
    batches.length > 0 && (batches[batches.length - 1] as number[]).length < batchSize
      ? batches.pop()
      : undefined;
  const order = rng.shuffle(batches).flat();
  return last ? [...order, ...last] : order;
}
