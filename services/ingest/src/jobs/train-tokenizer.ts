import * as path from 'node:path';
import { internal } from '@headstart/errors';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import {
  Tokenizer,
  serializeTokenizer,
  trainByteLevelBpe,
  trainWordPiece,
  type TrainProgress,
} from '@headstart/tokenizer';
import { readCorpus } from '../corpus/corpus-file';
import { versionLabel } from '../registry-refs';
import type { JobContext, JobRunner } from './job-runner';
import { registerVersion } from './register-version';
import { settingsMetadata, trainSettings } from './train-settings';

/** Metadata `format` of the tokenizer versions this service registers. */
export const TOKENIZER_FILE_FORMAT = 'huggingface-tokenizer-json';

/** Downloads the corpus a job reads into its scratch directory, reporting bytes. */
export async function downloadCorpus(
  client: RegistryClient,
  ctx: JobContext,
  dataset: registry.ModelVersion,
  extraBytes = 0,
): Promise<string> {
  const file = path.join(ctx.workDir, 'corpus.jsonl');
  const total = dataset.artifactSize + extraBytes;
  ctx.progress({ phase: 'downloading', unit: 'bytes', total, bytesTotal: total });
  await client.downloadArtifact(
    { name: dataset.modelName, selector: { $case: 'version', version: dataset.version } },
    file,
    {
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ done: p.bytes, bytesDone: p.bytes }),
    },
  );
  return file;
}

/**
 * The TrainTokenizer job: downloads the corpus, streams its training split (never the validation split)
 * through the trainer, and registers tokenizer.json as a TOKENIZER version trained_on the corpus.
 */
export function trainTokenizerRunner(client: RegistryClient): JobRunner {
  return async (ctx) => {
    const spec = ctx.job.spec?.$case === 'trainTokenizer' ? ctx.job.spec.trainTokenizer : undefined;
    if (spec?.dataset === undefined) throw internal(`job ${ctx.job.id} has no tokenizer-training spec`);
    const settings = trainSettings(spec);
    const signal = ctx.signal;
    const dataset = await client.getVersion(spec.dataset, { signal });
    const corpus = await downloadCorpus(client, ctx, dataset);

    const documentsTotal = dataset.metrics['train_documents'] ?? 0;
    const bytesTotal = dataset.metrics['train_bytes'] ?? 0;
    // Progress in text bytes: documents vary in length, so bytes give the steadier ETA.
    ctx.progress({ phase: 'counting', unit: 'bytes', total: bytesTotal, documentsTotal, bytesTotal });
    let documents = 0;
    let bytes = 0;
    async function* texts(): AsyncGenerator<string> {
      for await (const doc of readCorpus(corpus, { split: 'train' })) {
        documents++;
        bytes += Buffer.byteLength(doc.text, 'utf8');
        ctx.progress({ done: bytes, documentsDone: documents, bytesDone: bytes });
        yield doc.text;
      }
    }
    const onProgress = (p: TrainProgress): void => {
      if (p.phase === 'merging')
        ctx.progress({ phase: 'merging', unit: 'tokens', done: p.vocabSize, total: p.targetVocabSize });
    };
    const startedAt = performance.now();
    const common = {
      vocabSize: settings.vocabSize,
      minFrequency: settings.minFrequency,
      specialTokens: settings.specialTokens,
      lowercase: settings.lowercase,
      stripAccents: settings.stripAccents,
      unicodeNormalization: settings.unicodeNormalization,
      signal,
      onProgress,
    };
    const json =
      settings.type === 'wordpiece'
        ? await trainWordPiece(texts(), common)
        : await trainByteLevelBpe(texts(), common);
    const seconds = (performance.now() - startedAt) / 1000;
    const artifact = Buffer.from(serializeTokenizer(json), 'utf8');
    const vocabSize = Tokenizer.fromJSON(json).vocabSize;

    ctx.progress({ phase: 'registering' });
    return registerVersion(
      client,
      {
        modelName: spec.tokenizerName,
        kind: registry.ModelKind.MODEL_KIND_TOKENIZER,
        description: spec.description,
        modelDescription: spec.description,
        parents: [{ ref: spec.dataset, relation: 'trained_on' }],
        metadata: {
          format: TOKENIZER_FILE_FORMAT,
          file_name: 'tokenizer.json',
          vocab_size: String(vocabSize),
          dataset: versionLabel(dataset),
          ...settingsMetadata(settings),
        },
        metrics: {
          vocab_size: vocabSize,
          training_documents: documents,
          training_bytes: bytes,
          training_seconds: Math.round(seconds * 1000) / 1000,
        },
        tags: spec.tags,
        runId: ctx.job.id,
        idempotencyKey: ctx.job.id,
      },
      artifact,
      signal,
    );
  };
}
