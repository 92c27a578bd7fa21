// The pretrain benchmark: the same BERT MLM step on identical batches in TF.js (headstart-cpu, and the
// pure-JS cpu backend for config A) and in PyTorch, in one run. Prints ms/step, tokens/s and ratios,
// and writes the raw figures to bench/pretrain/results/.
//
//   node bench/pretrain/dist/main.js [--configs A,B] [--paths product,bench,loop] [--steps 12] [--warmup 3]
//                                    [--js-steps 2] [--repeat 1] [--threads 2] [--blas-threads 1]
//                                    [--product-dropout 0] [--python /usr/bin/python3] [--no-torch] [--no-js]
//
// Paths on headstart-cpu: `product` is @headstart/model's mlmTrainStep (the step @headstart/pretrain
// trains with: the product's model, clipping, AdamW); `bench` is the step written for this benchmark
// (model.ts, tfjs_step.ts); `loop` is @headstart/pretrain's own loop (fresh windows and masks every
// step, evaluations and checkpoints; loop_step.ts, --loop-steps N, default 200), whose ms/step is the
// mean over the loop. The goals are about the product's rows: the loop ≥ 0.9× the step (issue 16).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CONFIGS, flopsPerStep } from './config';
import type { BenchConfig } from './config';
import { createRng, makeBatch } from './data';
import type { StepTimings } from './tfjs_step';
import { timeTorchSteps, writeBatches } from './torch_step';

interface Row {
  config: string;
  path: string;
  steps: number;
  msPerStep: number;
  tokensPerSec: number;
  gflops: number;
  firstLoss: number;
  numTensorsStable?: boolean;
  rssMb?: number;
  /** Median process CPU time per step (all threads): less sensitive to other load than wall time. */
  cpuMsPerStep?: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/**
 * A row of figures. A step's time is the median over timed steps, except for the loop, whose time is
 * the mean: its evaluations and checkpoints land on a few steps, and a run's tokens/s pays for them.
 */
function row(c: BenchConfig, pathName: string, ms: number[], losses: number[], numTensors?: number[]): Row {
  const msPerStep = pathName.includes(PATH_LABELS.loop) ? mean(ms) : median(ms);
  return {
    config: c.name,
    path: pathName,
    steps: ms.length,
    msPerStep,
    tokensPerSec: (c.batch * c.seq * 1000) / msPerStep,
    gflops: flopsPerStep(c) / msPerStep / 1e6,
    firstLoss: losses[0] ?? NaN,
    ...(numTensors ? { numTensorsStable: numTensors.every((n) => n === numTensors[0]) } : {}),
  };
}

type StepPath = 'product' | 'bench' | 'loop';

const PATH_LABELS: Record<StepPath, string> = {
  product: 'product mlmTrainStep',
  bench: 'bench model',
  loop: "product loop (@headstart/pretrain's train)",
};

interface ChildOptions {
  config: string;
  backend: string;
  path: StepPath;
  /** Product model only. */
  dropout: number;
  file: string;
  count: number;
  warmup: number;
  steps: number;
  threads: number;
  blasThreads: number;
  /** Timed steps of the loop path (it needs more than a step's few to reach its evaluations). */
  loopSteps: number;
}

// Each measurement runs in a fresh process: a TF.js run leaves GBs of garbage whose collection by
// V8's background threads otherwise overlapped (and slowed) the next measurement.
function timeTfjsInChild(o: ChildOptions): StepTimings & { threads: number; rssMb: number } {
  const args = [
    path.resolve(__dirname, 'tfjs_child.js'),
    ...['--config', o.config, '--backend', o.backend, '--batches', o.file, '--count', String(o.count)],
    ...['--warmup', String(o.warmup), '--steps', String(o.steps)],
    ...['--threads', String(o.threads), '--blas-threads', String(o.blasThreads)],
    ...['--path', o.path, '--dropout', String(o.dropout)],
    ...['--loop-steps', String(o.loopSteps)],
  ];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0)
    throw new Error(`tfjs_child ${o.backend} ${o.path} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as StepTimings & { threads: number; rssMb: number };
}

async function main(): Promise<void> {
  const configs = arg('configs', 'A,B').split(',');
  const steps = Number(arg('steps', '12'));
  const warmup = Number(arg('warmup', '3'));
  const jsSteps = Number(arg('js-steps', '2'));
  const repeat = Math.max(1, Number(arg('repeat', '1')));
  const threads = Number(arg('threads', String(os.availableParallelism())));
  const python = arg('python', '/usr/bin/python3');
  const withTorch = !process.argv.includes('--no-torch');
  const withJs = !process.argv.includes('--no-js');
  const paths = arg('paths', 'product,bench').split(',') as StepPath[];
  for (const p of paths) if (!(p in PATH_LABELS)) throw new Error(`unknown path ${p} (product, bench, loop)`);
  const loopSteps = Number(arg('loop-steps', '200'));
  const dropout = Number(arg('product-dropout', '0'));
  const load = os.loadavg();
  const blasThreads = Number(arg('blas-threads', '1'));
  console.log(
    `threads ${threads}, blas threads ${blasThreads}, paths ${paths.join(',')}; load average ${load.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const rows: Row[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pretrain-'));
  let backendInfo = '';
  try {
    for (const name of configs) {
      const c = CONFIGS[name];
      if (!c) throw new Error(`unknown config ${name}`);
      const rng = createRng(42);
      const batches = Array.from({ length: Math.min(warmup + steps, 8) }, () => makeBatch(c, rng));
      const file = path.join(tmp, `batches-${name}.i32`);
      writeBatches(file, batches);
      const child = { config: name, file, count: batches.length, threads, blasThreads, dropout, loopSteps };
      // Alternate the sides `repeat` times (reversing the order each time) so that load drifting on a
      // shared machine hits all alike; each side's figure is the median over all its timed steps.
      const nativeRuns = new Map<StepPath, ReturnType<typeof timeTfjsInChild>[]>(paths.map((p) => [p, []]));
      const torchRuns: ReturnType<typeof timeTorchSteps>[] = [];
      for (let r = 0; r < repeat; r++) {
        const order: (StepPath | 'torch')[] = [...paths, ...(withTorch ? ['torch' as const] : [])];
        if (r % 2 === 1) order.reverse();
        for (const side of order) {
          if (side === 'torch')
            torchRuns.push(timeTorchSteps(c, batches, warmup, steps, { python, threads }));
          else {
            const runs = nativeRuns.get(side) as ReturnType<typeof timeTfjsInChild>[];
            runs.push(timeTfjsInChild({ ...child, backend: 'headstart-cpu', path: side, warmup, steps }));
          }
        }
      }
      for (const side of paths) {
        const runs = nativeRuns.get(side) as ReturnType<typeof timeTfjsInChild>[];
        const native = runs[0] as ReturnType<typeof timeTfjsInChild>;
        backendInfo = `headstart-cpu, ${native.threads} threads`;
        const drop = side === 'product' && dropout > 0 ? `, dropout ${dropout}` : '';
        const label = `tfjs headstart-cpu ${PATH_LABELS[side]} (${native.threads} threads${drop})`;
        rows.push({
          ...row(
            c,
            label,
            runs.flatMap((x) => x.ms),
            native.losses,
          ),
          cpuMsPerStep: median(runs.flatMap((x) => x.cpuMs)),
          numTensorsStable: runs.every((x) => x.numTensors.every((n) => n === x.numTensors[0])),
          rssMb: Math.max(...runs.map((x) => x.rssMb)),
        });
        console.log(JSON.stringify(rows[rows.length - 1]));
        if (withTorch) {
          const perRepeat = runs.map((x, i) => median((torchRuns[i] as { ms: number[] }).ms) / median(x.ms));
          console.log(
            `config ${name} ${side}: ratio per repeat ${perRepeat.map((v) => v.toFixed(2)).join(', ')}`,
          );
        }
      }
      if (withTorch) {
        const torch = torchRuns[0] as ReturnType<typeof timeTorchSteps>;
        const blas = path.basename(path.dirname(torch.blas));
        const torchMs = torchRuns.flatMap((x) => x.ms);
        rows.push({
          ...row(c, `pytorch (${torch.threads} threads, ${blas})`, torchMs, torch.losses),
          cpuMsPerStep: median(torchRuns.flatMap((x) => x.cpuMs)),
        });
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
      if (withJs && c.name === 'A' && jsSteps > 0) {
        const js = timeTfjsInChild({ ...child, backend: 'cpu', path: 'bench', warmup: 1, steps: jsSteps });
        rows.push(
          row(c, 'tfjs cpu bench model (pure JS, one-pass segment sum)', js.ms, js.losses, js.numTensors),
        );
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const after = os.loadavg();
  console.log(
    '\n| config | path | steps | ms/step | tokens/s | GFLOP/s | vs PyTorch | CPU ms/step | RSS MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ref = rows.find((x) => x.config === r.config && x.path.startsWith('pytorch'));
    const x = ref ? r.tokensPerSec / ref.tokensPerSec : NaN;
    const ratio = ref ? `${x.toFixed(x < 0.1 ? 4 : 2)}×` : 'n/a';
    console.log(
      `| ${r.config} | ${r.path} | ${r.steps} | ${r.msPerStep.toFixed(1)} | ${Math.round(r.tokensPerSec)} | ${r.gflops.toFixed(1)} | ${ratio} | ${r.cpuMsPerStep?.toFixed(1) ?? ''} | ${r.rssMb ?? ''} |`,
    );
  }
  console.log(
    `\nload average before ${load.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const dir = path.resolve(__dirname, '..', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `pretrain-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { rows, paths, loadBefore: load, loadAfter: after, backend: backendInfo, threads, blasThreads },
      null,
      2,
    ),
  );
  console.log(`results: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
