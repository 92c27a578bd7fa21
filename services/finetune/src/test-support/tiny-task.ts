// Test fixtures (not part of the public API): a tiny, learnable labelled task, a WordPiece tokenizer
// trained on it, and a tiny base checkpoint in the pre-training bundle format, registered the way the
// pretrain service registers them (BASE_MODEL with a tokenized_with parent).
import { selectBackend } from '@headstart/compute';
import { createRng, resolveConfig, type BertConfig } from '@headstart/model';
import {
  DEFAULT_TRAINING,
  createSession,
  disposeSession,
  packSessionCheckpoint,
} from '@headstart/pretrain/internal';
import type { TrainingConfig } from '@headstart/pretrain/internal';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';

export const SPAM_WORDS = [
  'free',
  'money',
  'win',
  'offer',
  'cash',
  'prize',
  'click',
  'cheap',
  'bonus',
  'deal',
];
export const HAM_WORDS = [
  'meeting',
  'project',
  'report',
  'lunch',
  'team',
  'schedule',
  'review',
  'notes',
  'agenda',
  'draft',
];
const SHARED = ['the', 'a', 'for', 'today', 'please', 'see', 'and', 'your', 'our', 'now'];

export interface TaskRow {
  id: string;
  text: string;
  label: string;
  split: string;
}

/** A text of `words` words: mostly words of its class, some shared ones. */
export function tinyText(label: 'spam' | 'ham', seed: number, words = 8): string {
  const rng = createRng(seed);
  const own = label === 'spam' ? SPAM_WORDS : HAM_WORDS;
  return Array.from({ length: words }, () => (rng.nextFloat() < 0.7 ? own : SHARED)[rng.nextInt(10)]).join(
    ' ',
  );
}

/** Balanced rows: `perClass` per label and split, ids unique. */
export function tinyTaskRows(perClass: { train: number; dev: number; test: number }, seed = 1): TaskRow[] {
  const rows: TaskRow[] = [];
  let n = 0;
  for (const split of ['train', 'dev', 'test'] as const) {
    for (let i = 0; i < perClass[split]; i++) {
      for (const label of ['spam', 'ham'] as const) {
        n++;
        rows.push({ id: `r${n}`, text: tinyText(label, seed * 100_000 + n), label, split });
      }
    }
  }
  return rows;
}

export const toJsonl = (rows: readonly object[]): Buffer =>
  Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');

/** The pure-JS-free CPU path (native kernels when built), quiet. */
export async function useTestBackend(): Promise<void> {
  await selectBackend({ backend: 'cpu', logger: { info: () => undefined, warn: () => undefined } });
}

export async function trainTinyTokenizer(): Promise<string> {
  const corpus = [...SPAM_WORDS, ...HAM_WORDS, ...SHARED].map((w, i) => `${w} ${SHARED[i % 10]} ${w}`);
  const json = await trainWordPiece(corpus, { vocabSize: 120, minFrequency: 1 });
  return serializeTokenizer(json);
}

export function tinyModelConfig(vocabSize: number, overrides: Partial<BertConfig> = {}): BertConfig {
  return resolveConfig({
    vocabSize,
    dModel: 16,
    heads: 2,
    layers: 1,
    ff: 32,
    maxLen: 24,
    dropout: 0,
    ...overrides,
  });
}

const TINY_TRAINING: TrainingConfig = {
  ...DEFAULT_TRAINING,
  minLearningRate: 1e-4,
  totalSteps: 1,
  tokenBudget: 0,
  seed: 7,
  seqLen: 24,
  batchSize: 4,
  backend: undefined,
};

/** A checkpoint bundle (@headstart/checkpoint) of a freshly initialised pre-training session of a tiny model. */
export async function tinyCheckpoint(config: BertConfig, final: boolean, seed = 7): Promise<Buffer> {
  const session = createSession(config, { ...TINY_TRAINING, seed });
  try {
    return await packSessionCheckpoint(session, { runId: 'test-run', spec: {}, final, backend: 'cpu' });
  } finally {
    disposeSession(session);
  }
}

export interface TinyBase {
  tokenizer: registry.ModelVersion;
  tokenizerJson: string;
  config: BertConfig;
}

/** Registers the tokenizer (TOKENIZER) once; checkpoints are then added with `registerCheckpoint`. */
export async function registerTinyTokenizer(
  client: RegistryClient,
  name = 'tiny-wordpiece',
): Promise<TinyBase> {
  const tokenizerJson = await trainTinyTokenizer();
  const tokenizer = (
    await client.createVersion(
      {
        modelName: name,
        kind: registry.ModelKind.MODEL_KIND_TOKENIZER,
        metadata: { format: 'huggingface-tokenizer-json' },
      },
      Buffer.from(tokenizerJson, 'utf8'),
    )
  ).version;
  return { tokenizer, tokenizerJson, config: tinyModelConfig(Tokenizer.fromJSON(tokenizerJson).vocabSize) };
}

export async function registerCheckpoint(
  client: RegistryClient,
  base: TinyBase,
  modelName: string,
  options: { final?: boolean; tags?: string[]; aliases?: string[]; seed?: number } = {},
): Promise<registry.ModelVersion> {
  const bytes = await tinyCheckpoint(base.config, options.final ?? false, options.seed);
  return (
    await client.createVersion(
      {
        modelName,
        kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
        metadata: { final: String(options.final ?? false), format: 'headstart-pretrain-checkpoint' },
        parents: [
          {
            ref: {
              name: base.tokenizer.modelName,
              selector: { $case: 'version', version: base.tokenizer.version },
            },
            relation: 'tokenized_with',
          },
        ],
        tags: options.tags ?? [],
        aliases: options.aliases ?? [],
      },
      bytes,
    )
  ).version;
}

export async function registerDataset(
  client: RegistryClient,
  name: string,
  content: Buffer,
  format: 'jsonl' | 'csv' = 'jsonl',
): Promise<registry.ModelVersion> {
  return (
    await client.createVersion(
      { modelName: name, kind: registry.ModelKind.MODEL_KIND_DATASET, metadata: { format } },
      content,
    )
  ).version;
}
