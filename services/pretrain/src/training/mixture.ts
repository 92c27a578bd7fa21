// Mixed corpora: every training window of a mixed run comes from one of its sources, picked by the
// sources' normalised weights with the run's seeded `data` generator, and is cut from that source's packed
// stream with the source's own seeded cursor. The picker, the cursors and the windows drawn per source are
// all in every checkpoint, so a resumed run draws exactly the windows the uninterrupted one would.
//
// The pick is "deficit-weighted": before each window, every source's deficit is its weight's share of the
// windows drawn so far (this one included) minus the windows it got; a source at least one whole window
// behind is taken at once, otherwise one is drawn with probability proportional to the positive deficits.
// The order of sources stays random, but no source strays two windows from its share at any point
// (mixture.test.ts checks up to 16 sources; independent draws would stray by ~√n windows, within 1% of the
// tokens only after ~10^4 windows), so a run's token counts per source match its weights from its first
// steps on.
import type { Rng } from '@headstart/model';
import type { Batch, GetBatchOptions } from './get-batch';
import { sampleRows } from './get-batch';
import type { TokenStream } from './pack-documents';

/** The sources of a mixed run: packed streams and their weights (normalised, same order). */
export interface MixedStreams {
  readonly streams: readonly TokenStream[];
  readonly weights: readonly number[];
}

/** Weights scaled to sum to 1. */
export function normaliseWeights(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/**
 * The source of the next window, given the windows drawn so far per source. Advances `rng` by exactly one
 * draw, whatever it picks.
 */
export function pickSource(weights: readonly number[], drawn: readonly number[], rng: Rng): number {
  const u = rng.nextFloat();
  const next = drawn.reduce((a, b) => a + b, 0) + 1;
  const deficits = weights.map((w, i) => w * next - (drawn[i] as number));
  let behind = -1;
  let positive = 0;
  deficits.forEach((d, i) => {
    if (d >= 1 && (behind < 0 || d > (deficits[behind] as number))) behind = i;
    if (d > 0) positive += d;
  });
  if (behind >= 0) return behind;
  let target = u * positive;
  let last = 0;
  for (let i = 0; i < deficits.length; i++) {
    const d = deficits[i] as number;
    if (d <= 0) continue;
    last = i;
    if (target < d) return i;
    target -= d;
  }
  return last; // rounding at the very top of the range
}

/**
 * One batch of a mixed run: each row's source picked by `picker`, its window cut with that source's
 * cursor. `tokens` (tokens drawn per source so far, seqLen per window) is advanced row by row.
 */
export function getMixedBatch(
  mixture: MixedStreams,
  picker: Rng,
  cursors: readonly Rng[],
  tokens: number[],
  options: GetBatchOptions,
): Batch {
  const { seqLen } = options;
  const drawn = tokens.map((t) => t / seqLen);
  return sampleRows(() => {
    const source = pickSource(mixture.weights, drawn, picker);
    drawn[source] = (drawn[source] as number) + 1;
    tokens[source] = (tokens[source] as number) + seqLen;
    return { stream: mixture.streams[source] as TokenStream, rng: cursors[source] as Rng };
  }, options);
}
