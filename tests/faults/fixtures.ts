// Tiny data for the fault-injection suite: a WordPiece tokenizer, token shards of unlabelled text tokenized
// with it, and a labelled spam/ham dataset (the same kind of task as the finetune service's tiny task).
import { createHash } from 'node:crypto';
import * as path from 'node:path';

import { pretrain, type registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { writeShards } from '@headstart/shards';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';

const SPAM = ['free', 'money', 'win', 'offer', 'cash', 'prize', 'click', 'cheap', 'bonus', 'deal'];
const HAM = [
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

/** A small deterministic generator (mulberry32). */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function text(label: 'spam' | 'ham', seed: number, words: number): string {
  const rng = seededRng(seed);
  const own = label === 'spam' ? SPAM : HAM;
  return Array.from({ length: words }, () => (rng() < 0.7 ? own : SHARED)[Math.floor(rng() * 10)]).join(' ');
}

export interface TinyData {
  tokenizer: registry.ModelVersion;
  shards: registry.ModelVersion;
  dataset: registry.ModelVersion;
}

/** Registers `fault-wordpiece` (TOKENIZER), `fault-shards` (DATASET, tokenized_with) and `fault-spam` (DATASET). */
export async function registerTinyData(client: RegistryClient, dir: string): Promise<TinyData> {
  const corpus = [...SPAM, ...HAM, ...SHARED].map((w, i) => `${w} ${SHARED[i % 10]} ${w}`);
  const tokenizerJson = serializeTokenizer(await trainWordPiece(corpus, { vocabSize: 120, minFrequency: 1 }));
  const tokenizer = await client.uploadVersion(
    { modelName: 'fault-wordpiece', kind: 'TOKENIZER', metadata: { format: 'huggingface-tokenizer-json' } },
    Buffer.from(tokenizerJson, 'utf8'),
  );
  const tok = Tokenizer.fromJSON(tokenizerJson);
  const docs = (seed: number, n: number) =>
    Array.from({ length: n }, (_, i) => text(i % 2 ? 'spam' : 'ham', seed + i, 12)).map(
      (t) => tok.encode(t, null, { addSpecialTokens: false }).ids,
    );
  const shardsFile = path.join(dir, 'fault.shards');
  await writeShards(
    {
      path: shardsFile,
      vocabSize: tok.vocabSize,
      tokenizerSha256: createHash('sha256').update(tokenizerJson).digest('hex'),
      specialTokens: Object.fromEntries(tok.specialTokens.map((t) => [t.token, t.id])),
    },
    { train: docs(1, 200), validation: docs(5_000, 16) },
  );
  const shards = await client.uploadVersion(
    {
      modelName: 'fault-shards',
      kind: 'DATASET',
      parents: [{ ref: `fault-wordpiece:${tokenizer.version}`, relation: 'tokenized_with' }],
    },
    shardsFile,
  );
  const rows: object[] = [];
  let n = 0;
  for (const [split, perClass] of [
    ['train', 8],
    ['dev', 2],
    ['test', 4],
  ] as const) {
    for (let i = 0; i < perClass; i++) {
      for (const label of ['spam', 'ham'] as const) {
        n++;
        rows.push({ id: `r${n}`, text: text(label, 100_000 + n, 8), label, split });
      }
    }
  }
  const dataset = await client.uploadVersion(
    { modelName: 'fault-spam', kind: 'DATASET', metadata: { format: 'jsonl' } },
    Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8'),
  );
  return { tokenizer, shards, dataset };
}

/** A tiny pre-training run on `fault-shards` (registerTinyData): d 16, one layer, a checkpoint every 4 steps. */
export function tinyRunSpec(modelName: string, maxSteps: number): pretrain.RunSpec {
  return pretrain.RunSpec.fromPartial({
    modelName,
    shards: { name: 'fault-shards', selector: { $case: 'latest', latest: true } },
    model: { dModel: 16, heads: 2, layers: 1, ff: 32, maxLen: 24, dropout: 0 },
    seed: 9,
    training: {
      maxSteps,
      batchSize: 8,
      seqLen: 24,
      warmupSteps: 2,
      checkpointEvery: 4,
      evalEvery: 4,
      evalBatches: 2,
    },
  });
}
