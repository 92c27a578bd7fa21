import * as path from 'node:path';
import { failedPrecondition, internal } from '@headstart/errors';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { SHARDS_FORMAT_VERSION, createShardsWriter, type SpecialTokenRole } from '@headstart/shards';
import { Tokenizer, type TokenizerJson } from '@headstart/tokenizer';
import { readCorpus, type CorpusDocument } from '../corpus/corpus-file';
import { versionLabel } from '../registry-refs';
import type { JobRunner } from './job-runner';
import { registerVersion } from './register-version';
import { downloadCorpus } from './train-tokenizer';

/** Metadata `format` of the shards versions this service registers (see @headstart/shards). */
export const SHARDS_FILE_FORMAT = `headstart.shards.v${SHARDS_FORMAT_VERSION}`;

/** Documents encoded per batch: big enough to amortise, small enough to yield to the event loop often. */
const BATCH_DOCUMENTS = 64;
const BATCH_CHARS = 256 * 1024;
const MAX_TOKENIZER_BYTES = 256 << 20;

const ROLE_CANDIDATES: Record<SpecialTokenRole, readonly string[]> = {
  pad: ['[PAD]', '<pad>'],
  unk: ['[UNK]', '<unk>'],
  cls: ['[CLS]', '<s>'],
  sep: ['[SEP]', '</s>'],
  mask: ['[MASK]', '<mask>'],
  bos: ['<s>', '[BOS]'],
  eos: ['</s>', '[EOS]'],
};

/** Which special tokens play which role, as the trainer of the shards needs them. */
export function specialTokenRoles(
  specials: Record<string, number>,
): Partial<Record<SpecialTokenRole, number>> {
  const roles: Partial<Record<SpecialTokenRole, number>> = {};
  for (const [role, candidates] of Object.entries(ROLE_CANDIDATES) as [
    SpecialTokenRole,
    readonly string[],
  ][]) {
    const found = candidates.find((token) => specials[token] !== undefined);
    if (found !== undefined) roles[role] = specials[found]!;
  }
  return roles;
}

/** One past the largest id the tokenizer can produce: model vocabulary and added tokens. */
export function idSpace(json: TokenizerJson): number {
  let max = -1;
  for (const id of Object.values(json.model.vocab)) if (id > max) max = id;
  for (const token of json.added_tokens) if (token.id > max) max = token.id;
  return max + 1;
}

function loadTokenizer(bytes: Buffer, label: string): { tokenizer: Tokenizer; json: TokenizerJson } {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as TokenizerJson;
    return { tokenizer: Tokenizer.fromJSON(json), json };
  } catch (err) {
    throw failedPrecondition(
      `tokenizer ${label} is not a tokenizer.json this service can load: ${(err as Error).message}`,
      {
        field: 'tokenizer',
      },
    );
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The Tokenize job: encodes every document of the corpus (no special tokens added; the trainer adds
 * them around its windows) into a shards file and registers it as a DATASET version derived_from the
 * corpus and tokenized_with the tokenizer.
 */
export function tokenizeRunner(client: RegistryClient): JobRunner {
  return async (ctx) => {
    const spec = ctx.job.spec?.$case === 'tokenize' ? ctx.job.spec.tokenize : undefined;
    if (spec?.dataset === undefined || spec.tokenizer === undefined) {
      throw internal(`job ${ctx.job.id} has no tokenize spec`);
    }
    const signal = ctx.signal;
    const dataset = await client.getVersion(spec.dataset, { signal });
    const tokenizerVersion = await client.getVersion(spec.tokenizer, { signal });
    const tokenizerBytes = await client.downloadToBuffer(spec.tokenizer, {
      signal,
      maxBytes: MAX_TOKENIZER_BYTES,
    });
    const { tokenizer, json } = loadTokenizer(tokenizerBytes, versionLabel(tokenizerVersion));
    const corpus = await downloadCorpus(client, ctx, dataset);

    const specialTokens = Object.fromEntries(tokenizer.specialTokens.map(({ token, id }) => [token, id]));
    const vocabSize = Math.max(tokenizer.vocabSize, idSpace(json));
    const file = path.join(ctx.workDir, 'shards.bin');
    const writer = await createShardsWriter({
      path: file,
      vocabSize,
      tokenizerSha256: tokenizerVersion.artifactSha256,
      specialTokens,
      specialTokenRoles: specialTokenRoles(specialTokens),
      source: {
        corpus: { version: versionLabel(dataset), id: dataset.id, sha256: dataset.artifactSha256 },
        tokenizer: {
          version: versionLabel(tokenizerVersion),
          id: tokenizerVersion.id,
          type: json.model.type,
        },
        jobId: ctx.job.id,
      },
    });
    try {
      const documentsTotal = dataset.metrics['documents'] ?? 0;
      // Progress in corpus bytes read: documents vary in length, so bytes give the steadier ETA.
      const bytesTotal = dataset.artifactSize;
      ctx.progress({
        phase: 'tokenizing',
        unit: 'bytes',
        total: bytesTotal,
        documentsTotal,
        bytesDone: 0,
        bytesTotal,
      });
      let documents = 0;
      let tokens = 0;
      let batch: CorpusDocument[] = [];
      let batchChars = 0;
      const encode = async (): Promise<void> => {
        const encodings = tokenizer.encodeBatch(
          batch.map((d) => d.text),
          { addSpecialTokens: false },
        );
        for (let i = 0; i < batch.length; i++) {
          const ids = encodings[i]!.ids;
          await writer.add(batch[i]!.split, ids);
          tokens += ids.length;
        }
        documents += batch.length;
        const bytesRead = batch[batch.length - 1]!.bytesRead;
        ctx.progress({ done: bytesRead, documentsDone: documents, tokensDone: tokens, bytesDone: bytesRead });
        batch = [];
        batchChars = 0;
        // Encoding is synchronous: let calls, cancellation and progress through between batches.
        await yieldToEventLoop();
        signal.throwIfAborted();
      };
      for await (const doc of readCorpus(corpus)) {
        batch.push(doc);
        batchChars += doc.text.length;
        if (batch.length >= BATCH_DOCUMENTS || batchChars >= BATCH_CHARS) await encode();
      }
      if (batch.length > 0) await encode();
      ctx.progress({ phase: 'writing' });
      const meta = await writer.finish();

      ctx.progress({ phase: 'registering' });
      return await registerVersion(
        client,
        {
          modelName: spec.shardsName,
          kind: registry.ModelKind.MODEL_KIND_DATASET,
          description: spec.description,
          modelDescription: spec.description,
          parents: [
            { ref: spec.dataset, relation: 'derived_from' },
            { ref: spec.tokenizer, relation: 'tokenized_with' },
          ],
          metadata: {
            format: SHARDS_FILE_FORMAT,
            dtype: meta.dtype,
            vocab_size: String(meta.vocabSize),
            tokenizer_sha256: meta.tokenizerSha256,
            tokenizer: versionLabel(tokenizerVersion),
            corpus: versionLabel(dataset),
            special_tokens: JSON.stringify(meta.specialTokens),
          },
          metrics: {
            train_documents: meta.splits.train.documents,
            train_tokens: meta.splits.train.tokens,
            validation_documents: meta.splits.validation.documents,
            validation_tokens: meta.splits.validation.tokens,
            vocab_size: meta.vocabSize,
          },
          tags: spec.tags,
          runId: ctx.job.id,
          idempotencyKey: ctx.job.id,
        },
        file,
        signal,
      );
    } finally {
      await writer.abort();
    }
  };
}
