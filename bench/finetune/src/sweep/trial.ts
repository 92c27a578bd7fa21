// One fine-tune of a sweep, in-process with the finetune worker's own parts (model with a new head,
// optimizer with layer-wise rates, the training loop with early stopping, evaluation), without the
// services around them: what a job would train and measure, faster to repeat many times.
import {
  buildJobModel,
  createJobOptimizer,
  dataSettings,
  encodeExamples,
  evaluate,
  padIdOf,
  prepareExamples,
  resolveSpec,
  trainClassifier,
  trainingSettings,
  type ParsedDataset,
} from '@headstart/finetune/internal';
import { disposeModel, type BertModel } from '@headstart/model';
import { finetune } from '@headstart/proto';
import type { Tokenizer } from '@headstart/tokenizer';

export interface TrialInput {
  dataset: ParsedDataset;
  tokenizer: Tokenizer;
  /** A fresh copy of the base model (with its MLM head); the trial disposes it. */
  loadBase(): BertModel;
  hyperparameters: Partial<finetune.FinetuneHyperparameters>;
  fromScratch: boolean;
  labelBudget: number;
  seed: number;
  /** Evaluate the test split too (a sweep chooses on dev and looks at test once, at the end). */
  test: boolean;
}

export interface TrialResult {
  devAccuracy: number;
  devMacroF1: number;
  testAccuracy?: number;
  testMacroF1?: number;
  steps: number;
  totalSteps: number;
  stoppedEarly: boolean;
  seconds: number;
}

export async function runTrial(input: TrialInput): Promise<TrialResult> {
  const started = performance.now();
  const { spec, problems } = resolveSpec(
    finetune.FinetuneSpec.fromPartial({
      baseModel: { name: 'sweep-base', selector: { $case: 'latest', latest: true } },
      dataset: { name: 'sweep-task', selector: { $case: 'latest', latest: true } },
      fromScratch: input.fromScratch,
      hyperparameters: { ...input.hyperparameters, seed: input.seed },
      data: { labelBudget: input.labelBudget, budgetSeed: input.seed },
    }),
    { baseName: 'sweep-base', requireBaseRef: true },
  );
  problems.throwIfAny();
  const settings = trainingSettings(spec);
  const examples = prepareExamples(input.dataset, dataSettings(spec));
  const model = buildJobModel(input.loadBase(), examples.labels.length, settings, input.fromScratch);
  const optimizer = createJobOptimizer(model, settings);
  try {
    const maxLength = Math.min(settings.maxLength, model.config.maxLen);
    const encode = (list: typeof examples.train) =>
      encodeExamples(input.tokenizer, list, examples.labels, maxLength);
    const padId = padIdOf(input.tokenizer);
    const outcome = await trainClassifier({
      model,
      optimizer,
      train: encode(examples.train),
      dev: encode(examples.dev),
      labels: examples.labels,
      settings: { ...settings, maxLength },
      padId,
    });
    const dev = outcome.bestDev as finetune.Evaluation;
    const result: TrialResult = {
      devAccuracy: dev.accuracy,
      devMacroF1: dev.macroF1,
      steps: outcome.state.step,
      totalSteps: outcome.schedule.totalSteps,
      stoppedEarly: outcome.state.stoppedEarly,
      seconds: 0,
    };
    if (input.test) {
      const test = await evaluate(model, encode(examples.test), examples.labels, {
        padId,
        split: 'test',
        step: outcome.state.step,
      });
      result.testAccuracy = test.accuracy;
      result.testMacroF1 = test.macroF1;
    }
    result.seconds = (performance.now() - started) / 1000;
    return result;
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
}
