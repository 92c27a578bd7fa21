// One TF.js measurement in its own process, so that no run (and no garbage it leaves for V8's
// background GC threads) shares the CPU with another. main.ts starts it; it prints one JSON line.
//   node dist/tfjs_child.js --config A --backend headstart-cpu --batches FILE --count N
//                           --warmup W --steps S --threads T --blas-threads B [--path bench|product]
//                           [--dropout P]
// --path bench times the bench model (model.ts, tfjs_step.ts); product times @headstart/model's
// mlmTrainStep (product_step.ts); loop times @headstart/pretrain's loop for --loop-steps steps
// (loop_step.ts). --dropout applies to the product model only (default 0).
import fs from 'node:fs';
import { installJsCpuFixes, selectBackend } from '@headstart/compute';
import { CONFIGS, maskedRows } from './config';
import type { MlmBatch } from './data';
import { timeLoopSteps } from './loop_step';
import { timeProductSteps } from './product_step';
import type { StepTimings } from './tfjs_step';
import { timeTfjsSteps } from './tfjs_step';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

/** The batch file written by torch_step.ts writeBatches: per batch ids, positions, labels (int32). */
export function readBatches(file: string, config: string, count: number): MlmBatch[] {
  const c = CONFIGS[config];
  if (!c) throw new Error(`unknown config ${config}`);
  const tokens = c.batch * c.seq;
  const m = maskedRows(c);
  const raw = fs.readFileSync(file);
  const all = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return Array.from({ length: count }, (_, i) => {
    const base = i * (tokens + 2 * m);
    return {
      inputIds: all.slice(base, base + tokens),
      positions: all.slice(base + tokens, base + tokens + m),
      labels: all.slice(base + tokens + m, base + tokens + 2 * m),
    };
  });
}

async function main(): Promise<void> {
  const config = arg('config');
  const backend = arg('backend');
  const batches = readBatches(arg('batches'), config, Number(arg('count')));
  const info = await selectBackend({
    backend: 'cpu',
    threads: Number(arg('threads')),
    blasThreads: Number(arg('blas-threads')),
  });
  if (backend === 'cpu')
    installJsCpuFixes(); // the stock kernel takes minutes per step
  else if (backend !== info.name) throw new Error(`asked for ${backend}, selectBackend gave ${info.name}`);
  const c = CONFIGS[config];
  if (!c) throw new Error(`unknown config ${config}`);
  const [warmup, steps] = [Number(arg('warmup')), Number(arg('steps'))];
  const which = arg('path', 'bench');
  let result: StepTimings & { peakRssMb?: number };
  if (which === 'bench') result = await timeTfjsSteps(c, backend, batches, warmup, steps, 1);
  else if (which === 'product') {
    const dropout = Number(arg('dropout', '0'));
    result = await timeProductSteps(c, backend, batches, warmup, steps, 1, { dropout });
  } else if (which === 'loop') {
    // The main job's cadence, scaled to the bench: an evaluation of 10 batches per 400 steps is 2.5% of
    // the forward passes (here 3 per 100), a checkpoint every ~1,000 steps (here every 100: harsher).
    const cadence = { evalEvery: 100, evalBatches: 3, checkpointEvery: 100 };
    result = await timeLoopSteps(c, backend, warmup, Number(arg('loop-steps', '200')), cadence);
  } else throw new Error(`unknown --path ${which} (expected bench, product or loop)`);
  const rssMb = Math.max(Math.round(process.memoryUsage().rss / 2 ** 20), result.peakRssMb ?? 0);
  process.stdout.write(`${JSON.stringify({ ...result, threads: info.threads, rssMb })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
