// Times the product's training step: @headstart/model's BERT (createBertModel) trained by its own
// mlmTrainStep (gradients, clipping by global norm, AdamW, loss and gradient norm read back), as
// @headstart/pretrain's loop calls it, on the same batches as the bench model. The speed goal is about
// this step; the bench model of model.ts stays beside it to show what the product leaves on the table.
import { tf } from '@headstart/compute';
import type { AdamW, BertConfig, BertModel, MlmBatch as ModelBatch } from '@headstart/model';
import {
  createAdamW,
  createBertModel,
  createRng,
  disposeModel,
  mlmTrainStep,
  resolveConfig,
} from '@headstart/model';
import type { BenchConfig } from './config';
import type { MlmBatch } from './data';
import type { KernelProfile, StepTimings } from './tfjs_step';
import { ADAMW, kernelTimes } from './tfjs_step';

export interface ProductStepOptions {
  /** Dropout of the product model. 0 by default: the PyTorch reference has none. */
  dropout?: number;
  /** Global-norm clipping as the product's loop does by default (1.0); 0 turns it off. */
  maxGradNorm?: number;
}

/** The product's config for a bench config (LayerNorm eps and init as the product's defaults). */
export function productConfig(c: BenchConfig, dropout = 0): BertConfig {
  return resolveConfig({
    vocabSize: c.vocab,
    dModel: c.dModel,
    heads: c.heads,
    layers: c.layers,
    ff: c.ff,
    maxLen: c.seq,
    dropout,
  });
}

/** A bench batch as @headstart/model's MlmBatch (no padding, so no attention mask). */
export function productBatch(c: BenchConfig, b: MlmBatch): ModelBatch {
  return {
    inputIds: b.inputIds,
    batchSize: c.batch,
    seqLen: c.seq,
    maskedPositions: b.positions,
    maskedLabels: b.labels,
  };
}

interface Trainer {
  model: BertModel;
  optimizer: AdamW;
  step(batch: ModelBatch): Promise<number>;
  dispose(): void;
}

function createProductTrainer(c: BenchConfig, seed: number, options: ProductStepOptions): Trainer {
  const model = createBertModel(productConfig(c, options.dropout ?? 0), { seed });
  const { lr, ...adamw } = ADAMW;
  const optimizer = createAdamW(model.params, adamw);
  const rng = model.config.dropout > 0 ? createRng(seed + 1) : undefined;
  return {
    model,
    optimizer,
    step: async (batch) => {
      const result = await mlmTrainStep(model, optimizer, [batch], {
        lr,
        maxGradNorm: options.maxGradNorm ?? 1.0,
        ...(rng ? { rng } : {}),
      });
      return result.loss;
    },
    dispose: () => {
      optimizer.dispose();
      disposeModel(model);
    },
  };
}

export async function timeProductSteps(
  c: BenchConfig,
  backend: string,
  batches: MlmBatch[],
  warmup: number,
  steps: number,
  seed: number,
  options: ProductStepOptions = {},
): Promise<StepTimings> {
  await tf.setBackend(backend);
  const trainer = createProductTrainer(c, seed, options);
  const inputs = batches.map((b) => productBatch(c, b));
  const result: StepTimings = { backend, ms: [], losses: [], numTensors: [], cpuMs: [] };
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const batch = inputs[i % inputs.length] as ModelBatch;
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const loss = await trainer.step(batch);
      const elapsed = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      if (i >= warmup) {
        result.ms.push(elapsed);
        result.cpuMs.push((cpu.user + cpu.system) / 1000);
        result.losses.push(loss);
        result.numTensors.push(tf.memory().numTensors);
      }
    }
  } finally {
    trainer.dispose();
  }
  return result;
}

/** Per-kernel time of one product step (tf.profile), sorted by total time. */
export async function profileProductStep(
  c: BenchConfig,
  backend: string,
  batch: MlmBatch,
  seed: number,
): Promise<KernelProfile[]> {
  await tf.setBackend(backend);
  const trainer = createProductTrainer(c, seed, {});
  const input = productBatch(c, batch);
  try {
    await trainer.step(input);
    return kernelTimes(await tf.profile(() => trainer.step(input)));
  } finally {
    trainer.dispose();
  }
}
