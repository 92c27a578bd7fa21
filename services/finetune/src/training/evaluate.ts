import type { BertModel } from '@headstart/model';
import { classify } from '@headstart/model';
import type { finetune } from '@headstart/proto';
import type { EncodedExamples } from './encode';
import { makeBatch } from './encode';
import { classificationMetrics } from './metrics';

/** Evaluation-mode batches; rows are sorted by length so padding stays small. */
export const EVAL_BATCH_SIZE = 64;

/** Mean cross-entropy, accuracy, per-class metrics and confusion matrix of `model` on `data`. */
export async function evaluate(
  model: BertModel,
  data: EncodedExamples,
  labels: readonly string[],
  options: { padId: number; split: string; step: number; signal?: AbortSignal },
): Promise<finetune.Evaluation> {
  const n = data.ids.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (data.ids[a] as Int32Array).length - (data.ids[b] as Int32Array).length,
  );
  const predicted = new Int32Array(n);
  let lossSum = 0;
  for (let start = 0; start < n; start += EVAL_BATCH_SIZE) {
    options.signal?.throwIfAborted();
    const rows = order.slice(start, start + EVAL_BATCH_SIZE);
    const predictions = await classify(model, makeBatch(data.ids, rows, options.padId, model.config.maxLen));
    predictions.forEach((p, b) => {
      const row = rows[b] as number;
      predicted[row] = p.label;
      const pTrue = p.probabilities[data.labels[row] as number] as number;
      lossSum -= Math.log(Math.max(pTrue, 1e-12));
    });
  }
  return classificationMetrics(
    labels,
    data.labels,
    predicted,
    n === 0 ? 0 : lossSum / n,
    options.split,
    options.step,
  );
}
