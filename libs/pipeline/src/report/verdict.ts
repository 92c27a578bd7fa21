// The one-line answer to "did the base give a head start?", from measured figures only.

export interface VerdictInput {
  labelBudget: number;
  pretrainTokens: number;
  /** Test macro-F1 and accuracy of the fine-tune of the pre-trained base, and of the control. */
  pretrained: { accuracy: number; macroF1: number };
  scratch: { accuracy: number; macroF1: number };
  /** Final MLM eval loss, and the unigram cross-entropy of the validation tokens (nats). */
  evalLoss: number;
  unigramCrossEntropy: number;
  /** Macro-F1 difference under which the two count as equal (one seed each). @default 0.02 */
  margin?: number;
}

function millions(tokens: number): string {
  return tokens >= 1e6 ? `${(tokens / 1e6).toFixed(1)}M` : `${Math.round(tokens / 1e3)}k`;
}

function points(delta: number): string {
  const p = delta * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)} points`;
}

export function verdict(input: VerdictInput): string {
  const margin = input.margin ?? 0.02;
  const delta = input.pretrained.macroF1 - input.scratch.macroF1;
  const gap = input.unigramCrossEntropy - input.evalLoss;
  const base =
    gap > 0
      ? `the base's MLM loss ended ${gap.toFixed(2)} nats below the unigram baseline`
      : `the base's MLM loss did not get below the unigram baseline (${(-gap).toFixed(2)} nats above)`;
  const budget = `at ${input.labelBudget} labels after ${millions(input.pretrainTokens)} pre-training tokens`;
  if (delta > margin) {
    return `Head start: the pre-trained base beat random init by ${points(delta)} test macro-F1 ${budget} (one seed each); ${base}.`;
  }
  if (delta < -margin) {
    return `No head start: the pre-trained base trailed random init by ${points(-delta).replace('+', '')} test macro-F1 ${budget} (one seed each); ${base}. The notes expect a gain only after tens of millions of tokens for a model this size.`;
  }
  return `No measurable head start ${budget}: macro-F1 ${points(delta)} vs random init, within the ±${(margin * 100).toFixed(0)}-point noise of one seed each; ${base}. The notes expect a gain only after tens of millions of tokens for a model this size.`;
}
