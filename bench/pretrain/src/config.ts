// The benchmark's model and batch configurations (issue 4: config A and B).
export interface BenchConfig {
  name: string;
  vocab: number;
  dModel: number;
  heads: number;
  ff: number;
  layers: number;
  seq: number;
  batch: number;
  /** Fraction of tokens masked (the MLM loss is computed at these rows only). */
  maskRate: number;
}

export const CONFIGS: Record<string, BenchConfig> = {
  A: {
    name: 'A',
    vocab: 8192,
    dModel: 128,
    heads: 4,
    ff: 512,
    layers: 2,
    seq: 128,
    batch: 32,
    maskRate: 0.15,
  },
  B: {
    name: 'B',
    vocab: 8192,
    dModel: 256,
    heads: 4,
    ff: 1024,
    layers: 4,
    seq: 128,
    batch: 16,
    maskRate: 0.15,
  },
};

export function maskedRows(c: BenchConfig): number {
  return Math.round(c.batch * c.seq * c.maskRate);
}

/** Parameters outside the embeddings, and training FLOPs per step (6·N·T + attention + vocab head). */
export function flopsPerStep(c: BenchConfig): number {
  const d = c.dModel;
  const perLayer = 4 * d * d + 4 * d + 2 * d * c.ff + c.ff + d + 4 * d;
  const head = d * d + d + 2 * d;
  const n = c.layers * perLayer + head + 2 * d;
  const t = c.batch * c.seq;
  return 6 * n * t + 12 * c.layers * c.seq * c.seq * d * c.batch + 6 * maskedRows(c) * d * c.vocab;
}
