// One run seed, several independent random streams. Each stream (initialisation, data order, masks,
// dropout, evaluation) gets its own generator so that, e.g., evaluating more often never shifts the
// training masks, and each stream's state can be checkpointed on its own.
import type { Rng, RngState } from '@headstart/model';
import { createRng } from '@headstart/model';

/** `source.<i>`: the cursor of a mixed run's i-th source. */
export type StreamName = 'init' | 'data' | 'mask' | 'dropout' | 'eval' | `source.${number}`;

/** A 32-bit seed for `stream`, from the run seed (FNV-1a over both, then a final avalanche). */
export function deriveSeed(seed: number, stream: StreamName): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${stream}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The generators a training loop draws from; their states are the run's data cursor. */
export interface TrainingRngs {
  /** One source: its cursor (window offsets). A mixture: the source each window is drawn from. */
  data: Rng;
  mask: Rng;
  dropout: Rng;
  /** A mixture's per-source cursors, in its order (empty for one source). */
  sources: Rng[];
}

export interface TrainingRngStates {
  data: RngState;
  mask: RngState;
  dropout: RngState;
  /** Present for a mixture only. */
  sources?: RngState[];
}

/** @param sources the run's number of sources (1: no mixture, `data` is the cursor). */
export function createTrainingRngs(seed: number, sources = 1): TrainingRngs {
  return {
    data: createRng(deriveSeed(seed, 'data')),
    mask: createRng(deriveSeed(seed, 'mask')),
    dropout: createRng(deriveSeed(seed, 'dropout')),
    sources:
      sources > 1
        ? Array.from({ length: sources }, (_, i) => createRng(deriveSeed(seed, `source.${i}`)))
        : [],
  };
}

export function rngStates(rngs: TrainingRngs): TrainingRngStates {
  return {
    data: rngs.data.getState(),
    mask: rngs.mask.getState(),
    dropout: rngs.dropout.getState(),
    ...(rngs.sources.length > 0 ? { sources: rngs.sources.map((r) => r.getState()) } : {}),
  };
}

export function restoreRngs(rngs: TrainingRngs, states: TrainingRngStates): void {
  const saved = states.sources ?? [];
  if (saved.length !== rngs.sources.length) {
    throw new Error(
      `the checkpoint holds the cursors of ${saved.length || 1} source(s), the run has ${rngs.sources.length || 1}`,
    );
  }
  rngs.data.setState(states.data);
  rngs.mask.setState(states.mask);
  rngs.dropout.setState(states.dropout);
  rngs.sources.forEach((rng, i) => rng.setState(saved[i] as RngState));
}
