// Sample efficiency against PyTorch (issue 4): config A trained by @headstart/pretrain's own loop on the
// shipped corpus for N tokens (default 20M), and the PyTorch reference (python/torch_curve.py) trained
// from the same initial weights on the same batches and masks with the same learning rate per step. Both
// evaluate on the run's fixed validation batches; the validation loss at the end must be within
// --tolerance (2%) of the reference's. The two trainings run side by side, each on its own threads.
//
//   node bench/pretrain/dist/sample-efficiency.js [--tokens 20000000] [--threads 1] [--torch-threads 1]
//     [--lr 1e-3] [--warmup 100] [--decay cosine] [--eval-every 100] [--eval-batches 20] [--seed 1]
//     [--python /usr/bin/python3] [--workdir DIR] [--tolerance 0.02] [--reference FILE]
//
// --reference FILE reuses the reference's records (JSON lines of python/torch_curve.py, written to
// results/ by every run) instead of training it again: the batches are a pure function of the seed, the
// corpus and the schedule, so a Headstart-only rerun (e.g. after a change to the model code) compares
// against the same reference. The file must come from a run with the same options.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { selectBackend, tf } from '@headstart/compute';
import { saveModel } from '@headstart/model';
import type { LrDecayName, TrainingConfig, TrainingData } from '@headstart/pretrain/internal';
import {
  createSession,
  createTrainingRngs,
  disposeSession,
  getBatch,
  lrAt,
  maskTokens,
  packDocuments,
  prepareTrainingData,
  tokensPerStep,
  train,
} from '@headstart/pretrain/internal';
import { openShards } from '@headstart/shards';
import { writeBatchFile } from './batch-file';
import { DEFAULT_CURVE_SCHEDULE, configAModel, curveTrainingConfig } from './curve-config';
import { ensureCorpus, prepareCorpusShards } from './curve-data';
import { unigramLevel } from './curve-eval';

interface EvalPoint {
  step: number;
  tokens: number;
  evalLoss: number;
  seconds: number;
}
interface TorchRecord extends EvalPoint {
  loss: number;
}

const { values: opts } = parseArgs({
  options: {
    tokens: { type: 'string', default: '20000000' },
    threads: { type: 'string', default: '1' },
    'torch-threads': { type: 'string', default: '1' },
    lr: { type: 'string', default: String(DEFAULT_CURVE_SCHEDULE.lr) },
    warmup: { type: 'string', default: String(DEFAULT_CURVE_SCHEDULE.warmup) },
    decay: { type: 'string', default: DEFAULT_CURVE_SCHEDULE.decay },
    'eval-every': { type: 'string', default: '100' },
    'eval-batches': { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
    workdir: { type: 'string' },
    tolerance: { type: 'string', default: '0.02' },
    corpus: { type: 'string' },
    'data-dir': { type: 'string', default: '.headstart/data' },
    reference: { type: 'string' },
  },
});

/** The step records the loop will draw, reproduced from the same seeded streams (see get-batch.ts). */
function* stepRecords(config: TrainingConfig, data: TrainingData) {
  const rngs = createTrainingRngs(config.seed);
  for (let step = 0; step < config.totalSteps; step++) {
    const batch = getBatch(data.train, rngs.data, {
      batchSize: config.batchSize,
      seqLen: config.seqLen,
      cls: data.specials.cls,
      pad: data.specials.pad,
    });
    yield { lr: lrAt(step, config), batch: maskTokens(batch, data.policy, rngs.mask) };
  }
}

function readReference(file: string, onRecord: (r: TorchRecord) => void): Promise<void> {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('{')) onRecord(JSON.parse(line) as TorchRecord);
  }
  return Promise.resolve();
}

function runTorch(dir: string, threads: number, onRecord: (r: TorchRecord) => void): Promise<void> {
  const script = path.join(__dirname, '..', 'python', 'torch_curve.py');
  const child = spawn(opts.python, [script, '--dir', dir, '--threads', String(threads)], {
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) onRecord(JSON.parse(line) as TorchRecord);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${script} exited with ${code ?? signal}`)),
    );
  });
}

async function main(): Promise<void> {
  const threads = Number(opts.threads);
  tf.env().set('PROD', true);
  const backend = await selectBackend({ backend: 'cpu', threads });
  const corpus = await ensureCorpus(opts.corpus, path.resolve(opts['data-dir']));
  const resultsDir = path.join(__dirname, '..', 'results');
  const data = await prepareCorpusShards(corpus, path.join(resultsDir, 'cache'), 8192);
  const shards = await openShards(data.shardsPath);
  const schedule = {
    ...DEFAULT_CURVE_SCHEDULE,
    lr: Number(opts.lr),
    warmup: Number(opts.warmup),
    decay: opts.decay as LrDecayName,
    evalEvery: Number(opts['eval-every']),
    evalBatches: Number(opts['eval-batches']),
    seed: Number(opts.seed),
  };
  const perStep = tokensPerStep(curveTrainingConfig(schedule, 1));
  const config = curveTrainingConfig(schedule, Math.ceil(Number(opts.tokens) / perStep));
  const model = configAModel(shards.meta.vocabSize, config.seqLen);
  const prepared = prepareTrainingData(shards, config, model.vocabSize);

  const dir = opts.workdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'headstart-sample-efficiency-'));
  fs.mkdirSync(dir, { recursive: true });
  const session = createSession(model, config);
  await saveModel(dir, session.model); // torch starts from these weights
  const evalBytes = writeBatchFile(
    path.join(dir, 'eval.bin'),
    prepared.evalBatches.map((batch) => ({ lr: 0, batch })),
  );
  const trainBytes = writeBatchFile(path.join(dir, 'train.bin'), stepRecords(config, prepared));
  fs.writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({
      weightDecay: config.weightDecay,
      beta1: config.beta1,
      beta2: config.beta2,
      epsilon: config.adamEpsilon,
      clipNorm: config.clipNorm,
      evalEvery: config.evalEvery,
      totalSteps: config.totalSteps,
      tokensPerStep: perStep,
    }),
  );
  console.log(
    `config A, ${config.totalSteps} steps × ${perStep} tokens = ${((config.totalSteps * perStep) / 1e6).toFixed(1)}M tokens; ` +
      `lr ${config.learningRate} warmup ${config.warmupSteps} ${config.decay}; eval every ${config.evalEvery} on ` +
      `${config.evalBatches} batches; ${backend.name} ${threads} thread(s) vs torch ${opts['torch-threads']}; ` +
      `batches ${(trainBytes / 1e6).toFixed(0)} MB + ${(evalBytes / 1e6).toFixed(1)} MB in ${dir}`,
  );

  const started = Date.now();
  const ours: EvalPoint[] = [];
  const theirs: TorchRecord[] = [];
  let firstLoss = NaN;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const referenceLog = path.join(resultsDir, `sample-efficiency-torch-${stamp}.jsonl`);
  const onTorch = (r: TorchRecord) => {
    theirs.push(r);
    if (!opts.reference) fs.appendFileSync(referenceLog, `${JSON.stringify(r)}\n`);
    if (r.evalLoss !== undefined && r.step % (config.evalEvery * 10) === 0)
      console.log(`torch    step ${r.step}  eval ${r.evalLoss.toFixed(4)}  ${r.seconds.toFixed(0)} s`);
  };
  const torchDone = opts.reference
    ? readReference(opts.reference, onTorch)
    : runTorch(dir, Number(opts['torch-threads']), onTorch);
  try {
    await train(session, prepared, {
      onStep: async (r) => {
        if (r.step === 1) firstLoss = r.loss;
        // Kernels resolve synchronously on the CPU backends: let the event loop read the reference's output.
        if (r.step % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
        if (!r.evaluation) return;
        const point = {
          step: r.step,
          tokens: r.tokensSeen,
          evalLoss: r.evaluation.loss,
          seconds: (Date.now() - started) / 1000,
        };
        ours.push(point);
        if (r.step % (config.evalEvery * 10) === 0 || r.final)
          console.log(
            `headstart step ${r.step}  eval ${point.evalLoss.toFixed(4)}  ${point.seconds.toFixed(0)} s`,
          );
      },
    });
  } finally {
    disposeSession(session);
  }
  const oursSeconds = (Date.now() - started) / 1000;
  await torchDone;
  const torchSeconds = (Date.now() - started) / 1000;
  report({ config, perStep, ours, theirs, firstLoss, oursSeconds, torchSeconds, backend: backend.name });
  const unigram = unigramLevel(
    packDocuments(shards.train, prepared.specials),
    packDocuments(shards.validation, prepared.specials),
    model.vocabSize,
    prepared.specials,
  );
  console.log(`unigram level (validation cross-entropy): ${unigram.crossEntropy.toFixed(4)}`);
  if (!opts.workdir) fs.rmSync(dir, { recursive: true, force: true });
}

function report(r: {
  config: TrainingConfig;
  perStep: number;
  ours: EvalPoint[];
  theirs: TorchRecord[];
  firstLoss: number;
  oursSeconds: number;
  torchSeconds: number;
  backend: string;
}): void {
  const torchEval = new Map(r.theirs.map((t) => [t.step, t.evalLoss]));
  const rows = r.ours.map((o) => {
    const t = torchEval.get(o.step) ?? NaN;
    return {
      step: o.step,
      tokens: o.tokens,
      headstart: o.evalLoss,
      torch: t,
      relative: (o.evalLoss - t) / t,
    };
  });
  console.log(
    '| step | tokens | Headstart validation loss | PyTorch validation loss | relative difference |',
  );
  console.log(
    '| ---- | ------ | ------------------------- | ----------------------- | ------------------- |',
  );
  const every = Math.max(1, Math.round(rows.length / 12));
  rows.forEach((row, i) => {
    if (i % every !== 0 && i !== rows.length - 1) return;
    console.log(
      `| ${row.step} | ${(row.tokens / 1e6).toFixed(2)}M | ${row.headstart.toFixed(4)} | ${row.torch.toFixed(4)} | ` +
        `${(row.relative * 100).toFixed(2)}% |`,
    );
  });
  const last = rows.at(-1);
  const torchFirst = r.theirs.find((t) => t.step === 1)?.loss ?? NaN;
  const tolerance = Number(opts.tolerance);
  const passed = last !== undefined && Math.abs(last.relative) <= tolerance;
  const summary = {
    backend: r.backend,
    steps: r.config.totalSteps,
    tokens: r.config.totalSteps * r.perStep,
    finalEvalLoss: { headstart: last?.headstart, torch: last?.torch },
    relativeDifference: last?.relative,
    tolerance,
    passed,
    // Same weights, batch and mask: the first step's losses agree unless the batches differ.
    firstStepLoss: { headstart: r.firstLoss, torch: torchFirst, absDiff: Math.abs(r.firstLoss - torchFirst) },
    wallSeconds: { headstart: r.oursSeconds, torch: r.torchSeconds },
    loadAverage: os.loadavg(),
  };
  console.log(JSON.stringify(summary, null, 2));
  const resultsDir = path.join(__dirname, '..', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const out = path.join(
    resultsDir,
    `sample-efficiency-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  fs.writeFileSync(out, `${JSON.stringify({ summary, config: r.config, rows, torch: r.theirs }, null, 2)}\n`);
  console.log(`wrote ${out}`);
  console.log(passed ? 'SAMPLE EFFICIENCY OK' : `SAMPLE EFFICIENCY MISSED (tolerance ${tolerance * 100}%)`);
  process.exitCode = passed ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
