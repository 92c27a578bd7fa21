// How big the pipeline runs. The main job uses DEMO_SCALE (issue 4's config A on the whole shipped data,
// a wall-clock pre-training budget); tests pass a tiny scale through the same code.

/** How long pre-training runs: wall-clock minutes (turned into steps by a measured step time), tokens or steps. */
export type PretrainBudget =
  | { kind: 'minutes'; minutes: number }
  | { kind: 'tokens'; tokens: number }
  | { kind: 'steps'; steps: number };

/** A shipped labelled task. */
export type TaskName = 'dictionary-domains' | 'spam-assassin';

/** The transfer study the final checkpoint starts on one task. */
export interface StudyScale {
  task: TaskName;
  /** Which base it studies: the general one, or the one adapted to the task. @default 'general' */
  base?: 'general' | 'adapted' | undefined;
  /** The study's arms (unset: all four). A study of the general base beside an adapted one needs only 'pretrained'. */
  arms?: readonly ('pretrained' | 'scratch' | 'naive_bayes' | 'logistic_regression')[] | undefined;
  /** Label budgets (0: every training example). */
  budgets: number[];
  /** Paired seeds per budget (at least 2). */
  seeds: number;
  /** The verdict's budget. Undefined: the one closest to 200. */
  headline?: number | undefined;
  /** Fine-tune settings of both arms (unset: the finetune service's defaults). */
  hyperparameters?:
    { minSteps?: number; epochs?: number; batchSize?: number; maxLength?: number } | undefined;
}

/**
 * Task-adaptive pre-training (issue 10): the general base's final checkpoint fires a trigger that continues
 * pre-training it on the task's unlabelled training texts (never dev or test) for a fixed number of
 * steps, with pre-training's batch and sequence length; the adapted base's final checkpoint then fires
 * the studies whose `base` is 'adapted'.
 */
export interface AdaptationScale {
  task: TaskName;
  steps: number;
  learningRate: number;
  warmupSteps: number;
  /** Evaluations over the run (the last step always evaluates). */
  evaluations: number;
  seed: number;
}

export interface PipelineScale {
  /** Only the first documents of each split of the shipped corpus (file order). Undefined: all of it. */
  corpusDocuments?: { train: number; validation: number } | undefined;
  /** A class-balanced subset of each split of the labelled task (file order). Undefined: all of it. */
  taskExamples?: { train: number; dev: number; test: number } | undefined;
  /** WordPiece vocabulary, special tokens included. */
  tokenizerVocab: number;
  /** The base model; `dropout` applies while pre-training (the fine-tunes set their own). */
  model: { dModel: number; heads: number; layers: number; ff: number; dropout: number };
  pretrain: {
    batchSize: number;
    seqLen: number;
    learningRate: number;
    /** Warmup: this share of the steps, at most `maxWarmupSteps`. */
    warmupFraction: number;
    maxWarmupSteps: number;
    /** Evaluations over the run (evaluation every steps / evaluations). */
    evaluations: number;
    evalBatches: number;
    /** Checkpoints registered over the run (the final one included). */
    checkpoints: number;
    budget: PretrainBudget;
    seed: number;
  };
  finetune: {
    /** Training labels each fine-tune may use (a seeded, stratified prefix of the training split). */
    labelBudget: number;
    epochs: number;
    batchSize: number;
    /** Tokens per example (never above the base model's sequence length). */
    maxLength: number;
    /** 0: no limit besides the epochs. */
    maxSteps: number;
    /** At least this many optimizer steps. Undefined: the finetune service's default. */
    minSteps?: number | undefined;
    /** Dropout while fine-tuning. Undefined: the base model's. */
    dropout?: number | undefined;
    /** Early stopping on dev loss after this many evaluations without improvement (0: off). */
    patience: number;
    seed: number;
  };
  /** Held-out task texts the fine-tuned model classifies at the end. */
  classifyTexts: number;
  /** The studies the final checkpoints start, the primary (the verdict's) first. */
  studies: StudyScale[];
  /** Adapt the base to a task before studying it there. Undefined: no adaptation. */
  adaptation?: AdaptationScale | undefined;
}

/**
 * Minutes of pre-training in the main job by default, chosen so that the whole job (pre-training, the
 * fine-tune pair and both studies) stays within 25 minutes on a 2-core machine: 19.9 min measured with 10
 * (docs/benchmarks.md, main job, run D). The run holds its own time budget, so the stage takes 10 minutes
 * whatever the machine; slower machines get fewer tokens, and slower studies.
 */
export const DEFAULT_PRETRAIN_MINUTES = 10;
export const DEFAULT_LABEL_BUDGET = 200;
export const DEFAULT_STUDY_SEEDS = 5;

/** The main job: config A of issue 4 (vocab 8192, d 128, 4 heads, ff 512, 2 layers, seq 128, batch 32). */
export const DEMO_SCALE: PipelineScale = Object.freeze<PipelineScale>({
  tokenizerVocab: 8192,
  // No dropout while pre-training: at these budgets the model underfits (validation loss ≈ training loss
  // at 20M tokens, docs/benchmarks.md), and dropout only slows the MLM loss down. The fine-tunes, on a
  // few hundred labels, do overfit: they get 0.1.
  model: { dModel: 128, heads: 4, layers: 2, ff: 512, dropout: 0 },
  pretrain: {
    batchSize: 32,
    seqLen: 128,
    learningRate: 1e-3,
    warmupFraction: 0.1,
    maxWarmupSteps: 100,
    evaluations: 10,
    evalBatches: 10,
    checkpoints: 4,
    budget: { kind: 'minutes', minutes: DEFAULT_PRETRAIN_MINUTES },
    seed: 42,
  },
  finetune: {
    labelBudget: DEFAULT_LABEL_BUDGET,
    epochs: 8,
    batchSize: 16,
    maxLength: 128,
    maxSteps: 0,
    // SpamAssassin's emails are long (128 tokens a row): 8 epochs keep this pair under a minute each.
    minSteps: 0,
    dropout: 0.1,
    patience: 3,
    seed: 42,
  },
  classifyTexts: 4,
  // Measured on this 2-core machine: see docs/benchmarks.md (main job). dictionary-domains is the task
  // where word counts are not enough; spam-assassin the one where they already are.
  studies: [
    {
      task: 'dictionary-domains',
      base: 'adapted',
      budgets: [200, 1000],
      seeds: DEFAULT_STUDY_SEEDS,
      headline: 200,
    },
    // The general base on the same label draws, for the adaptation's paired gain (the controls are the
    // adapted study's: same data, same seeds).
    {
      task: 'dictionary-domains',
      base: 'general',
      budgets: [200],
      seeds: DEFAULT_STUDY_SEEDS,
      headline: 200,
      arms: ['pretrained'],
    },
    { task: 'spam-assassin', budgets: [200], seeds: 3, hyperparameters: { minSteps: 0, epochs: 8 } },
  ],
  // 600 steps (2.5M tokens, about 20 passes over the 5,000 training definitions) took 91 s and added
  // +5.2 [0.8, 9.5] points of dev accuracy at 200 labels (docs/benchmarks.md, task-adaptive pre-training).
  adaptation: {
    task: 'dictionary-domains',
    steps: 600,
    learningRate: 5e-4,
    warmupSteps: 60,
    evaluations: 6,
    seed: 42,
  },
});

/** Model names the pipeline registers under. */
export const PIPELINE_NAMES = Object.freeze({
  corpus: 'english-corpus',
  tokenizer: 'english-wordpiece',
  shards: 'english-shards',
  task: 'spam-assassin',
  tasks: { 'spam-assassin': 'spam-assassin', 'dictionary-domains': 'dictionary-domains' },
  base: 'headstart-bert-mini',
});

/** The adapted base's name: `<base>-adapted` (its lineage names the task text it was adapted to). */
export function adaptedModelName(names: Pick<PipelineNames, 'base'>): string {
  return `${names.base}-adapted`;
}
export type PipelineNames = typeof PIPELINE_NAMES;

export function describeBudget(budget: PretrainBudget): string {
  switch (budget.kind) {
    case 'minutes':
      return `${budget.minutes} min`;
    case 'tokens':
      return `${budget.tokens} tokens`;
    case 'steps':
      return `${budget.steps} steps`;
  }
}

/**
 * Every knob small (34 documents, vocabulary 200, d 16 / 1 layer / seq 16, 6 steps, 20 labels, a 4-step
 * adaptation): the same code path as DEMO_SCALE in seconds. The end-to-end test of the main job, the
 * keep-up test and bench/console run it.
 */
export const TINY_SCALE: PipelineScale = Object.freeze<PipelineScale>({
  corpusDocuments: { train: 30, validation: 4 },
  taskExamples: { train: 40, dev: 16, test: 24 },
  tokenizerVocab: 200,
  model: { dModel: 16, heads: 2, layers: 1, ff: 32, dropout: 0.1 },
  pretrain: {
    batchSize: 8,
    seqLen: 16,
    learningRate: 3e-3,
    warmupFraction: 0.2,
    maxWarmupSteps: 2,
    evaluations: 2,
    evalBatches: 2,
    checkpoints: 2,
    budget: { kind: 'steps', steps: 6 },
    seed: 7,
  },
  finetune: {
    labelBudget: 20,
    epochs: 2,
    batchSize: 8,
    maxLength: 16,
    maxSteps: 0,
    minSteps: 0,
    patience: 0,
    seed: 7,
  },
  classifyTexts: 4,
  studies: [
    {
      task: 'dictionary-domains',
      base: 'adapted',
      budgets: [10, 0],
      seeds: 2,
      headline: 10,
      hyperparameters: { minSteps: 0, epochs: 2, batchSize: 8, maxLength: 16 },
    },
    {
      task: 'dictionary-domains',
      base: 'general',
      budgets: [10],
      seeds: 2,
      headline: 10,
      arms: ['pretrained'],
      hyperparameters: { minSteps: 0, epochs: 2, batchSize: 8, maxLength: 16 },
    },
  ],
  adaptation: {
    task: 'dictionary-domains',
    steps: 4,
    learningRate: 3e-3,
    warmupSteps: 1,
    evaluations: 1,
    seed: 7,
  },
});
