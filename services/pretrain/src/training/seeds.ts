// One run seed, several independent random streams. Each stream (initialisation, data order, masks,
// dropout, evaluation) gets its own generator so that, e.g., evaluating more often never shifts the
// training masks, and each stream's state can be checkpointed on its own.
import type { Rng, RngState } from '@headstart/model';
import { createRng } from '@headstart/model';

export type StreamName = 'init' | 'data' | 'mask' | 'dropout' | 'eval';

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
  data: Rng;
  mask: Rng;
  dropout: Rng;
}

export type TrainingRngStates = Record<keyof TrainingRngs, RngState>;

export function createTrainingRngs(seed: number): TrainingRngs {
  return {
    data: createRng(deriveSeed(seed, 'data')),
    mask: createRng(deriveSeed(seed, 'mask')),
    dropout: createRng(deriveSeed(seed, 'dropout')),
  };
}

export function rngStates(rngs: TrainingRngs): TrainingRngStates {
  return { data: rngs.data.getState(), mask: rngs.mask.getState(), dropout: rngs.dropout.getState() };
}

export function restoreRngs(rngs: TrainingRngs, states: TrainingRngStates): void {
  rngs.data.setState(states.data);
  rngs.mask.setState(states.mask);
  rngs.dropout.setState(states.dropout);
}
