// The model's shape and the checks that turn a bad one into a list of named problems.

/** Architecture hyper-parameters of the encoder. */
export interface BertConfig {
  /** Vocabulary size (rows of the tied word-embedding / output matrix). */
  vocabSize: number;
  /** Hidden size; must be divisible by `heads`. @default 128 */
  dModel: number;
  /** Attention heads per layer. @default 4 */
  heads: number;
  /** Transformer blocks. @default 2 */
  layers: number;
  /** Feed-forward inner size. @default 512 */
  ff: number;
  /** Learned positions, i.e. the longest sequence the model accepts. @default 128 */
  maxLen: number;
  /**
   * Dropout rate for embeddings, attention probabilities, and both residual branches (BERT's places).
   * Applied only in training mode. @default 0.1
   */
  dropout: number;
  /**
   * LayerNorm epsilon. 1e-5 (PyTorch's default) rather than HF BERT's 1e-12: in float32 a 1e-12 epsilon
   * is below the rounding of any non-degenerate variance, so it protects nothing. Written to config.json
   * as `layer_norm_eps`, so HF loads the same value. @default 1e-5
   */
  layerNormEps: number;
  /** Standard deviation of the (±2σ truncated) normal initialisation. @default 0.02 */
  initStd: number;
  /**
   * What the classification head reads: 'cls', the first position (HF's BertForSequenceClassification),
   * or 'mean', the mean of the final hidden states over non-padding tokens. An encoder pre-trained by
   * masked LM alone never trains [CLS] as a summary, so mean pooling transfers better (Sentence-BERT's
   * ablations). Only the classification head uses it. @default 'cls' (what bundles without it meant)
   */
  pooling: Pooling;
}

export type Pooling = 'cls' | 'mean';
export const POOLINGS: readonly Pooling[] = ['cls', 'mean'];

export type BertConfigInput = Pick<BertConfig, 'vocabSize'> & Partial<BertConfig>;

export const DEFAULT_BERT_CONFIG: Readonly<Omit<BertConfig, 'vocabSize'>> = Object.freeze({
  dModel: 128,
  heads: 4,
  layers: 2,
  ff: 512,
  maxLen: 128,
  dropout: 0.1,
  layerNormEps: 1e-5,
  initStd: 0.02,
  pooling: 'cls',
});

/** One thing wrong with a config, naming the field (the service maps it to INVALID_ARGUMENT). */
export interface ConfigProblem {
  field: keyof BertConfig;
  message: string;
}

/** Fills in defaults; does not validate (call `validateConfig` or `assertValidConfig`). */
export function resolveConfig(input: BertConfigInput): BertConfig {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_BERT_CONFIG, ...defined } as BertConfig;
}

const POSITIVE_INTEGERS = ['vocabSize', 'dModel', 'heads', 'layers', 'ff', 'maxLen'] as const;

/** Returns every problem found (empty when the config is valid). Accepts untrusted input. */
export function validateConfig(config: Partial<Record<keyof BertConfig, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const field of POSITIVE_INTEGERS) {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      problems.push({ field, message: `${field} must be a positive integer, got ${describe(value)}` });
    }
  }
  const { dModel, heads, dropout, layerNormEps, initStd, pooling } = config;
  if (!POOLINGS.includes(pooling as Pooling)) {
    problems.push({ field: 'pooling', message: `pooling must be 'cls' or 'mean', got ${describe(pooling)}` });
  }
  if (isPositiveInt(dModel) && isPositiveInt(heads) && dModel % heads !== 0) {
    problems.push({ field: 'dModel', message: `dModel (${dModel}) must be divisible by heads (${heads})` });
  }
  if (typeof dropout !== 'number' || !Number.isFinite(dropout) || dropout < 0 || dropout >= 1) {
    problems.push({
      field: 'dropout',
      message: `dropout must be a finite number in [0, 1), got ${describe(dropout)}`,
    });
  }
  for (const [field, value] of [
    ['layerNormEps', layerNormEps],
    ['initStd', initStd],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push({ field, message: `${field} must be a finite positive number, got ${describe(value)}` });
    }
  }
  return problems;
}

/** Thrown by `assertValidConfig`; carries every problem so a caller can report them all. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid model config: ${problems.map((p) => p.message).join('; ')}`);
  }
}

export function assertValidConfig(config: BertConfig): BertConfig {
  const problems = validateConfig(config);
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return config;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : value === undefined ? 'nothing' : JSON.stringify(value);
}
