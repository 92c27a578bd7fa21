// Classification metrics from true and predicted class indices: accuracy, per-class precision / recall /
// F1 (0 when undefined, as scikit-learn's zero_division=0), macro-F1 over every class of the model, and the
// confusion matrix (rows: true class, columns: predicted).
import type { finetune } from '@headstart/proto';

export function classificationMetrics(
  labels: readonly string[],
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  loss: number,
  split: string,
  step: number,
): finetune.Evaluation {
  const k = labels.length;
  const counts = new Array<number>(k * k).fill(0);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const p = predicted[i] as number;
    counts[t * k + p] = (counts[t * k + p] as number) + 1;
    if (t === p) correct++;
  }
  const perClass = labels.map((label, c) => {
    let tp = 0;
    let support = 0;
    let predictedAs = 0;
    for (let j = 0; j < k; j++) {
      support += counts[c * k + j] as number;
      predictedAs += counts[j * k + c] as number;
    }
    tp = counts[c * k + c] as number;
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  return {
    split,
    examples: truth.length,
    loss,
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroF1: k === 0 ? 0 : perClass.reduce((sum, c) => sum + c.f1, 0) / k,
    perClass,
    confusionMatrix: { labels: [...labels], counts },
    step,
  };
}

/** The flat metrics attached to a registered version (and to FinetuneFinished). */
export function flatMetrics(
  test: finetune.Evaluation,
  bestDev: finetune.Evaluation | undefined,
): Record<string, number> {
  const metrics: Record<string, number> = {
    accuracy: test.accuracy,
    macro_f1: test.macroF1,
    loss: test.loss,
    test_examples: test.examples,
  };
  for (const c of test.perClass) {
    metrics[`precision/${c.label}`] = c.precision;
    metrics[`recall/${c.label}`] = c.recall;
    metrics[`f1/${c.label}`] = c.f1;
  }
  if (bestDev) {
    metrics['dev_accuracy'] = bestDev.accuracy;
    metrics['dev_macro_f1'] = bestDev.macroF1;
    metrics['dev_loss'] = bestDev.loss;
    metrics['best_step'] = bestDev.step;
  }
  return metrics;
}
