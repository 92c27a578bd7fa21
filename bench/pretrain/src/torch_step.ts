// Runs python/torch_bench.py on the same batches and returns its timings.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchConfig } from './config';
import { maskedRows } from './config';
import type { MlmBatch } from './data';

export interface TorchTimings {
  ms: number[];
  /** Process CPU time (all threads) of each timed step. */
  cpuMs: number[];
  losses: number[];
  threads: number;
  blas: string;
}

const SCRIPT = path.resolve(__dirname, '..', 'python', 'torch_bench.py');

export function writeBatches(file: string, batches: MlmBatch[]): void {
  const parts = batches.flatMap((b) => [b.inputIds, b.positions, b.labels]);
  fs.writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

export function timeTorchSteps(
  c: BenchConfig,
  batches: MlmBatch[],
  warmup: number,
  steps: number,
  options: { python: string; threads: number },
): TorchTimings {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pretrain-'));
  const file = path.join(dir, 'batches.i32');
  try {
    writeBatches(file, batches);
    const args = [
      SCRIPT,
      ...['--batches', file, '--count', String(batches.length)],
      ...['--vocab', String(c.vocab), '--d', String(c.dModel), '--heads', String(c.heads)],
      ...['--ff', String(c.ff), '--layers', String(c.layers), '--seq', String(c.seq)],
      ...['--batch', String(c.batch), '--masked', String(maskedRows(c))],
      ...['--warmup', String(warmup), '--steps', String(steps), '--threads', String(options.threads)],
    ];
    // PASSIVE: idle OpenMP threads sleep instead of spinning (PyTorch's best setting on 2 cores).
    const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
    const run = spawnSync(options.python, args, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0)
      throw new Error(`torch_bench.py failed (${run.status}): ${run.stderr.slice(-2000)}`);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as TorchTimings;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
