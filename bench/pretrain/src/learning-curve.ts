// The pre-training learning curve: config A (vocab 8192, d 128, 4 heads, ff 512, 2 layers, seq 128,
// batch 32) trained with @headstart/pretrain's loop on the shipped corpus for a wall-time budget, the
// schedule sized to the budget from a measured step time. Prints the validation loss curve, tokens/s,
// the unigram level and fill-mask top-1/top-5 on held-out text; writes everything to results/.
//
//   node bench/pretrain/dist/learning-curve.js [--minutes 15] [--corpus FILE] [--data-dir .headstart/data]
//     [--lr 1e-3] [--warmup 100] [--decay cosine|linear|constant] [--min-lr-ratio 0.1] [--batch 32]
//     [--seq 128] [--accum 1] [--steps N] [--eval-every 50] [--eval-batches 10] [--seed 1]
//     [--threads 2] [--label NAME] [--save FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend, tf } from '@headstart/compute';
import type { BertConfig } from '@headstart/model';
import type { LrDecayName, TrainingConfig } from '@headstart/pretrain/internal';
import {
  createSession,
  disposeSession,
  packSessionCheckpoint,
  prepareTrainingData,
  tokensPerStep,
  train,
  packDocuments,
} from '@headstart/pretrain/internal';
import { openShards } from '@headstart/shards';
import type { CurveSchedule } from './curve-config';
import { DEFAULT_CURVE_SCHEDULE, configAModel, curveTrainingConfig } from './curve-config';
import { ensureCorpus, prepareCorpusShards } from './curve-data';
import { fillMaskAccuracy, unigramLevel } from './curve-eval';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const num = (name: string, fallback: number) => Number(arg(name, String(fallback)));

interface CurvePoint {
  step: number;
  tokens: number;
  seconds: number;
  trainLoss: number;
  evalLoss: number;
  perplexity: number;
  tokensPerSec: number;
  lr: number;
}

function schedule(): CurveSchedule {
  const d = DEFAULT_CURVE_SCHEDULE;
  return {
    lr: num('lr', d.lr),
    warmup: num('warmup', d.warmup),
    decay: arg('decay', d.decay) as LrDecayName,
    minLrRatio: num('min-lr-ratio', d.minLrRatio),
    batch: num('batch', d.batch),
    seq: num('seq', d.seq),
    accum: num('accum', d.accum),
    evalEvery: num('eval-every', d.evalEvery),
    evalBatches: num('eval-batches', d.evalBatches),
    seed: num('seed', d.seed),
  };
}

/** Median ms of a step of this config, from a throwaway session (so the real run's first steps are not slowed). */
async function measureStepMs(
  model: BertConfig,
  config: TrainingConfig,
  data: ReturnType<typeof prepareTrainingData>,
): Promise<number> {
  const session = createSession(model, {
    ...config,
    totalSteps: 5,
    warmupSteps: 0,
    evalEvery: 1e9,
    checkpointEvery: 1e9,
  });
  const times: number[] = [];
  let last = Date.now();
  try {
    await train(session, data, {
      onStep: () => {
        const now = Date.now();
        times.push(now - last);
        last = now;
      },
    });
  } finally {
    disposeSession(session);
  }
  // The first steps warm kernels and buffer pools up.
  const sorted = times.slice(2).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const minutes = num('minutes', 15);
  const root = path.resolve(__dirname, '..');
  const resultsDir = path.join(root, 'results');
  const loadBefore = os.loadavg();
  tf.env().set('PROD', true);
  const backend = await selectBackend({ backend: 'cpu', threads: num('threads', os.availableParallelism()) });
  const corpus = await ensureCorpus(
    process.argv.includes('--corpus') ? arg('corpus', '') : undefined,
    path.resolve(arg('data-dir', '.headstart/data')),
  );
  const data = await prepareCorpusShards(corpus, path.join(resultsDir, 'cache'), 8192);
  const shards = await openShards(data.shardsPath);
  const model = configAModel(shards.meta.vocabSize, num('seq', 128));
  const seed = num('seed', 1);
  const probe = curveTrainingConfig(schedule(), 10);
  const prepared = prepareTrainingData(shards, probe, model.vocabSize);
  const msPerStep = await measureStepMs(model, probe, prepared);
  const budgetMs = minutes * 60_000;
  // Evaluations cost about evalBatches / (3 · evalEvery) of the training time; keep 3% for the rest.
  const evalShare = probe.evalBatches / (3 * probe.evalEvery);
  const totalSteps = process.argv.includes('--steps')
    ? num('steps', 1000)
    : Math.floor((budgetMs * (0.97 - evalShare)) / msPerStep);
  const config = curveTrainingConfig(schedule(), totalSteps);
  const perStep = tokensPerStep(config);
  console.log(
    `config A on ${path.basename(corpus)}: ${shards.train.tokenCount.toLocaleString()} train / ${shards.validation.tokenCount.toLocaleString()} validation tokens, ` +
      `vocab ${model.vocabSize}; backend ${backend.name}; ${msPerStep} ms/step measured → ${totalSteps} steps ` +
      `(${((totalSteps * perStep) / 1e6).toFixed(2)}M tokens), lr ${config.learningRate} warmup ${config.warmupSteps} ${config.decay}`,
  );

  const session = createSession(model, config);
  const curve: CurvePoint[] = [];
  const started = Date.now();
  let lossSum = 0;
  let lossCount = 0;
  let lastEvalAt = started;
  let lastEvalStep = 0;
  try {
    await train(session, prepared, {
      onStep: (r) => {
        lossSum += r.loss;
        lossCount++;
        if (!r.evaluation) return;
        const now = Date.now();
        const point: CurvePoint = {
          step: r.step,
          tokens: r.tokensSeen,
          seconds: (now - started) / 1000,
          trainLoss: lossSum / lossCount,
          evalLoss: r.evaluation.loss,
          perplexity: r.evaluation.perplexity,
          tokensPerSec: ((r.step - lastEvalStep) * perStep) / ((now - lastEvalAt) / 1000),
          lr: r.lr,
        };
        curve.push(point);
        console.log(
          `step ${point.step}/${totalSteps}  tokens ${(point.tokens / 1e6).toFixed(2)}M  ${point.seconds.toFixed(0)} s  ` +
            `train ${point.trainLoss.toFixed(3)}  eval ${point.evalLoss.toFixed(3)} (ppl ${point.perplexity.toFixed(0)})  ` +
            `${Math.round(point.tokensPerSec)} tok/s  lr ${point.lr.toExponential(2)}`,
        );
        lossSum = 0;
        lossCount = 0;
        lastEvalAt = now;
        lastEvalStep = r.step;
      },
      shouldStop: () => (Date.now() - started > budgetMs * 1.2 ? 'over the time budget' : undefined),
    });
    const seconds = (Date.now() - started) / 1000;
    const validation = packDocuments(shards.validation, prepared.specials);
    const train_ = packDocuments(shards.train, prepared.specials);
    const unigram = unigramLevel(train_, validation, model.vocabSize, prepared.specials);
    const fillMask = await fillMaskAccuracy(session.model, validation, prepared.specials, {
      batches: 20,
      batchSize: 16,
      seqLen: config.seqLen,
      seed: seed + 1,
      mostFrequent: unigram.mostFrequent,
    });
    const save = arg('save', '');
    if (save)
      fs.writeFileSync(
        save,
        await packSessionCheckpoint(session, {
          runId: 'bench',
          spec: {},
          final: true,
          backend: backend.name,
        }),
      );
    const summary = {
      label: arg('label', `lr${config.learningRate}`),
      steps: session.counters.step,
      tokens: session.counters.tokensSeen,
      seconds,
      tokensPerSec: session.counters.tokensSeen / seconds,
      finalEvalLoss: curve.at(-1)?.evalLoss,
      bestEvalLoss: session.counters.bestEval?.loss,
      unigramCrossEntropy: unigram.crossEntropy,
      fillMask,
    };
    console.log(JSON.stringify(summary, null, 2));
    fs.mkdirSync(resultsDir, { recursive: true });
    const out = path.join(resultsDir, `curve-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      out,
      `${JSON.stringify({ summary, config, model, msPerStepProbe: msPerStep, curve, corpus: { path: corpus, sha256: data.corpusSha256 }, backend, loadBefore, loadAfter: os.loadavg() }, null, 2)}\n`,
    );
    console.log(`wrote ${out}`);
  } finally {
    disposeSession(session);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
