// The pretrain benchmark: the same BERT MLM step on identical batches in TF.js (headstart-cpu, and the
// pure-JS cpu backend for config A) and in PyTorch, in one run. Prints ms/step, tokens/s and ratios,
// and writes the raw figures to bench/pretrain/results/.
//
//   node bench/pretrain/dist/main.js [--configs A,B] [--steps 12] [--warmup 3] [--js-steps 2]
//                                    [--threads 2] [--blas-threads 1] [--python /usr/bin/python3]
//                                    [--no-torch] [--no-js]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installJsCpuFixes, selectBackend, tf } from '@headstart/compute';
import { CONFIGS, flopsPerStep } from './config';
import type { BenchConfig } from './config';
import { createRng, makeBatch } from './data';
import { timeTfjsSteps } from './tfjs_step';
import { timeTorchSteps } from './torch_step';

interface Row {
  config: string;
  path: string;
  steps: number;
  msPerStep: number;
  tokensPerSec: number;
  gflops: number;
  firstLoss: number;
  numTensorsStable?: boolean;
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

function row(c: BenchConfig, pathName: string, ms: number[], losses: number[], numTensors?: number[]): Row {
  const msPerStep = median(ms);
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

async function main(): Promise<void> {
  const configs = arg('configs', 'A,B').split(',');
  const steps = Number(arg('steps', '12'));
  const warmup = Number(arg('warmup', '3'));
  const jsSteps = Number(arg('js-steps', '2'));
  const threads = Number(arg('threads', String(os.availableParallelism())));
  const python = arg('python', '/usr/bin/python3');
  const withTorch = !process.argv.includes('--no-torch');
  const withJs = !process.argv.includes('--no-js');
  const load = os.loadavg();
  const blasThreads = Number(arg('blas-threads', '1'));
  const info = await selectBackend({ backend: 'cpu', threads, blasThreads });
  console.log(
    `backend ${info.name} (${info.kind}, ${info.threads} threads); load average ${load.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const rows: Row[] = [];
  for (const name of configs) {
    const c = CONFIGS[name];
    if (!c) throw new Error(`unknown config ${name}`);
    const rng = createRng(42);
    const batches = Array.from({ length: Math.min(warmup + steps, 8) }, () => makeBatch(c, rng));
    const native = await timeTfjsSteps(c, info.name, batches, warmup, steps, 1);
    rows.push(row(c, `tfjs ${info.name}`, native.ms, native.losses, native.numTensors));
    console.log(JSON.stringify(rows[rows.length - 1]));
    if (withTorch) {
      const torch = timeTorchSteps(c, batches, warmup, steps, { python, threads });
      rows.push(
        row(
          c,
          `pytorch (${torch.threads} threads, ${path.basename(path.dirname(torch.blas))})`,
          torch.ms,
          torch.losses,
        ),
      );
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
    if (withJs && c.name === 'A' && jsSteps > 0) {
      // As selectBackend's fallback runs it: the stock cpu UnsortedSegmentSum takes minutes per step.
      installJsCpuFixes();
      const js = await timeTfjsSteps(c, 'cpu', batches, 1, jsSteps, 1);
      rows.push(row(c, 'tfjs cpu (pure JS, one-pass segment sum)', js.ms, js.losses, js.numTensors));
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
  }
  const after = os.loadavg();
  console.log('\n| config | path | steps | ms/step | tokens/s | GFLOP/s | vs PyTorch |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ref = rows.find((x) => x.config === r.config && x.path.startsWith('pytorch'));
    const ratio = ref ? `${(r.tokensPerSec / ref.tokensPerSec).toFixed(2)}×` : 'n/a';
    console.log(
      `| ${r.config} | ${r.path} | ${r.steps} | ${r.msPerStep.toFixed(1)} | ${Math.round(r.tokensPerSec)} | ${r.gflops.toFixed(1)} | ${ratio} |`,
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
    JSON.stringify({ rows, loadBefore: load, loadAfter: after, backend: info }, null, 2),
  );
  console.log(`results: ${file}`);
  void tf;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
