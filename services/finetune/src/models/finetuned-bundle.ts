// The FINETUNED_MODEL artifact: one uncompressed tar (open it with `tar -xf`) holding
//   model.safetensors  encoder + pooler + classifier (Megatron-BERT names, no MLM head), config in metadata
//   config.json        Hugging Face config with id2label / label2id (MegatronBertForSequenceClassification)
//   tokenizer.json     the base model's tokenizer, so the bundle alone can classify text
//   labels.json        the class labels in index order (the label map)
//   finetune.json      written last: format, labels, max length, provenance, and each file's sha256
// A bundle whose files do not match finetune.json is refused.
import { createHash } from 'node:crypto';
import { packTar, unpackTar } from '@headstart/checkpoint';
import type { BertModel } from '@headstart/model';
import { CONFIG_FILE, WEIGHTS_FILE, deserializeModel, numLabelsOf, serializeModel } from '@headstart/model';
import { Tokenizer } from '@headstart/tokenizer';

export const FINETUNED_FORMAT = 'headstart.finetune.model';
export const FINETUNED_FORMAT_VERSION = 1;
export const TOKENIZER_FILE = 'tokenizer.json';
export const LABELS_FILE = 'labels.json';
export const MANIFEST_FILE = 'finetune.json';

export interface VersionPointer {
  versionId: string;
  modelName: string;
  version: number;
}

export interface FinetunedManifest {
  format: typeof FINETUNED_FORMAT;
  formatVersion: number;
  labels: string[];
  /** Tokens per text, [CLS] and [SEP] included: what Classify truncates to. */
  maxLength: number;
  finetuneId: string;
  fromScratch: boolean;
  base: VersionPointer;
  dataset: VersionPointer;
  tokenizer: VersionPointer;
  textField: string;
  labelField: string;
  createdAt: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

export class BundleFormatError extends Error {
  override readonly name = 'BundleFormatError';
}

export interface FinetunedBundle {
  manifest: FinetunedManifest;
  tokenizer: Tokenizer;
  /** Builds the classifier (the caller disposes it). */
  loadModel(): BertModel;
  /** Bytes of the weights: what keeping the model in memory costs, roughly. */
  weightBytes: number;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export async function packFinetunedBundle(
  model: BertModel,
  tokenizerJson: string,
  manifest: Omit<FinetunedManifest, 'format' | 'formatVersion' | 'files' | 'createdAt'>,
): Promise<Buffer> {
  if (numLabelsOf(model) !== manifest.labels.length) {
    throw new Error(
      `the model has ${numLabelsOf(model)} classes but ${manifest.labels.length} labels were given`,
    );
  }
  const { weights, configJson } = await serializeModel(model, {
    labels: manifest.labels,
    metadata: { finetune_id: manifest.finetuneId },
  });
  const files: [string, Buffer][] = [
    [WEIGHTS_FILE, weights],
    [CONFIG_FILE, Buffer.from(configJson, 'utf8')],
    [TOKENIZER_FILE, Buffer.from(tokenizerJson, 'utf8')],
    [LABELS_FILE, Buffer.from(`${JSON.stringify(manifest.labels)}\n`, 'utf8')],
  ];
  const full: FinetunedManifest = {
    format: FINETUNED_FORMAT,
    formatVersion: FINETUNED_FORMAT_VERSION,
    ...manifest,
    createdAt: new Date().toISOString(),
    files: Object.fromEntries(
      files.map(([name, data]) => [name, { sha256: sha256(data), bytes: data.length }]),
    ),
  };
  return packTar([
    ...files.map(([name, data]) => ({ name, data })),
    { name: MANIFEST_FILE, data: Buffer.from(`${JSON.stringify(full, null, 2)}\n`, 'utf8') },
  ]);
}

export function readFinetunedBundle(bytes: Uint8Array): FinetunedBundle {
  let entries: Map<string, Uint8Array>;
  try {
    entries = new Map(unpackTar(bytes).map((e) => [e.name, e.data]));
  } catch (err) {
    throw new BundleFormatError(`not a readable fine-tuned model bundle: ${(err as Error).message}`);
  }
  const raw = entries.get(MANIFEST_FILE);
  if (!raw) throw new BundleFormatError(`the bundle has no ${MANIFEST_FILE}`);
  let manifest: FinetunedManifest;
  try {
    manifest = JSON.parse(Buffer.from(raw).toString('utf8')) as FinetunedManifest;
  } catch (err) {
    throw new BundleFormatError(`${MANIFEST_FILE} is not JSON: ${(err as Error).message}`);
  }
  if (manifest?.format !== FINETUNED_FORMAT)
    throw new BundleFormatError('not a Headstart fine-tuned model bundle');
  if (manifest.formatVersion !== FINETUNED_FORMAT_VERSION) {
    throw new BundleFormatError(`bundle format version ${manifest.formatVersion} is not supported`);
  }
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    const data = entries.get(name);
    if (!data) throw new BundleFormatError(`the bundle has no ${name}`);
    if (data.length !== expected.bytes || sha256(data) !== expected.sha256) {
      throw new BundleFormatError(`${name} does not match the digest in ${MANIFEST_FILE}`);
    }
  }
  const weights = entries.get(WEIGHTS_FILE) as Uint8Array;
  const configJson = Buffer.from(entries.get(CONFIG_FILE) as Uint8Array).toString('utf8');
  const tokenizer = Tokenizer.fromJSON(
    Buffer.from(entries.get(TOKENIZER_FILE) as Uint8Array).toString('utf8'),
  );
  return {
    manifest,
    tokenizer,
    loadModel: () => deserializeModel(weights, configJson),
    weightBytes: weights.byteLength,
  };
}
