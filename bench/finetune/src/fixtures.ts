// What the benchmark registers: the shipped SpamAssassin task as a DATASET, a WordPiece tokenizer trained
// on part of the shipped pre-training corpus, and a base checkpoint of issue config A's shape (d 128,
// 4 heads, 2 layers, ff 512, max length 128) in the pre-training bundle format.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildShippedData } from '@headstart/datasets';
import { resolveConfig, type BertConfig } from '@headstart/model';
import {
  DEFAULT_TRAINING,
  createSession,
  disposeSession,
  packSessionCheckpoint,
} from '@headstart/pretrain/internal';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';

export interface BenchData {
  spamAssassin: Buffer;
  /** One text per test email. */
  testTexts: string[];
  tokenizerJson: string;
  config: BertConfig;
}

async function* corpusTexts(file: string, maxBytes: number): AsyncGenerator<string> {
  let bytes = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    const doc = JSON.parse(line) as { split: string; text: string };
    if (doc.split !== 'train') continue;
    bytes += doc.text.length;
    yield doc.text;
    if (bytes >= maxBytes) break;
  }
}

export async function prepareData(dataDir: string, tokenizerCorpusBytes: number): Promise<BenchData> {
  await buildShippedData({ outDir: dataDir }); // a no-op when the files match their manifest
  const spamAssassin = await readFile(join(dataDir, 'spam-assassin.jsonl'));
  const testTexts = spamAssassin
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { text: string; split: string })
    .filter((r) => r.split === 'test')
    .map((r) => r.text);
  const json = await trainWordPiece(
    corpusTexts(join(dataDir, 'pretrain-corpus.jsonl'), tokenizerCorpusBytes),
    {
      vocabSize: 8192,
    },
  );
  const tokenizerJson = serializeTokenizer(json);
  const vocabSize = Tokenizer.fromJSON(tokenizerJson).vocabSize;
  const config = resolveConfig({
    vocabSize,
    dModel: 128,
    heads: 4,
    layers: 2,
    ff: 512,
    maxLen: 128,
    dropout: 0.1,
  });
  return { spamAssassin, testTexts, tokenizerJson, config };
}

export async function checkpointBytes(config: BertConfig): Promise<Buffer> {
  const session = createSession(config, {
    ...DEFAULT_TRAINING,
    minLearningRate: 1e-4,
    totalSteps: 1,
    tokenBudget: 0,
    seed: 1,
    seqLen: 128,
    batchSize: 32,
    backend: undefined,
  });
  try {
    return await packSessionCheckpoint(session, { runId: 'bench', spec: {}, final: true, backend: 'bench' });
  } finally {
    disposeSession(session);
  }
}

export async function registerTokenizer(
  client: RegistryClient,
  json: string,
): Promise<registry.ModelVersion> {
  return (
    await client.createVersion(
      {
        modelName: 'bench-wordpiece',
        kind: registry.ModelKind.MODEL_KIND_TOKENIZER,
        metadata: { format: 'huggingface-tokenizer-json' },
      },
      Buffer.from(json, 'utf8'),
    )
  ).version;
}

export async function registerCheckpoint(
  client: RegistryClient,
  modelName: string,
  bytes: Buffer,
  tokenizer: registry.ModelVersion,
): Promise<registry.ModelVersion> {
  return (
    await client.createVersion(
      {
        modelName,
        kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
        metadata: { final: 'true' },
        parents: [{ ref: `${tokenizer.modelName}:${tokenizer.version}`, relation: 'tokenized_with' }],
      },
      bytes,
    )
  ).version;
}
