import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { checkLabelledFile, LabelledFileError, labelledFileFormat } from '@headstart/datasets';
import { invalidArgument } from '@headstart/errors';
import type { RegistryClient, UploadMetadata } from '@headstart/registry-client';
import { parseKeyValue, parseMetric, parseParent } from '../args';
import { formatBytes, json, versionLabel } from '../format';
import type { Output } from '../output';
import { createProgressReporter } from '../progress';

export interface UploadOptions {
  kind: string;
  /** REF:RELATION, repeatable. */
  parent?: string[];
  /** KEY=VALUE, repeatable. */
  meta?: string[];
  /** KEY=NUMBER, repeatable. */
  metric?: string[];
  tag?: string[];
  alias?: string[];
  description?: string;
  modelDescription?: string;
  runId?: string;
  idempotencyKey?: string;
}

/** The upload's metadata from command-line options; every malformed value is INVALID_ARGUMENT. */
export function uploadMetadata(name: string, options: UploadOptions): UploadMetadata {
  const metadata: UploadMetadata = {
    modelName: name,
    kind: options.kind,
    parents: (options.parent ?? []).map(parseParent),
    metadata: Object.fromEntries((options.meta ?? []).map((m) => parseKeyValue(m, 'meta'))),
    metrics: Object.fromEntries((options.metric ?? []).map(parseMetric)),
    tags: options.tag ?? [],
    aliases: options.alias ?? [],
  };
  if (options.description !== undefined) metadata.description = options.description;
  if (options.modelDescription !== undefined) metadata.modelDescription = options.modelDescription;
  if (options.runId !== undefined) metadata.runId = options.runId;
  if (options.idempotencyKey !== undefined) metadata.idempotencyKey = options.idempotencyKey;
  return metadata;
}

/**
 * A labelled dataset (`--kind dataset` with `--meta format=csv|jsonl`, or a .csv / .jsonl file) is checked
 * here, streaming, before a byte is uploaded: a file the fine-tune would refuse is refused now, naming the
 * line and the fix (INVALID_ARGUMENT, exit 4), and nothing is registered. `--meta text_field=` /
 * `label_field=` name the columns when they are not `text` and `label`.
 */
export async function checkDatasetFile(
  file: string,
  kind: string,
  meta: Record<string, string>,
): Promise<void> {
  if (!/^(model_kind_)?dataset$/i.test(kind)) return;
  const format = labelledFileFormat(meta['format'], file);
  if (format === undefined) return;
  const textField = meta['text_field'];
  const labelField = meta['label_field'];
  try {
    await checkLabelledFile(createReadStream(file), {
      format,
      ...(textField ? { textField } : {}),
      ...(labelField ? { labelField } : {}),
    });
  } catch (err) {
    if (!(err instanceof LabelledFileError)) throw err;
    const details: Record<string, string> = { field: 'file', problem: err.kind };
    if (err.line !== undefined) details['line'] = String(err.line);
    if (err.byteOffset !== undefined) details['byte_offset'] = String(err.byteOffset);
    throw invalidArgument(`${file}: ${err.message} (nothing was uploaded)`, details);
  }
}

/** `headstart upload NAME FILE --kind K ...`: hashes the file, streams it, prints the new version. */
export async function upload(
  client: RegistryClient,
  out: Output,
  name: string,
  file: string,
  options: UploadOptions,
): Promise<void> {
  const metadata = uploadMetadata(name, options);
  await checkDatasetFile(file, options.kind, metadata.metadata ?? {});
  const progress = createProgressReporter(out, 'uploading', `${path.basename(file)} to ${name}`);
  const result = await (async () => {
    try {
      return await client.createVersion(metadata, file, { onProgress: progress.update });
    } finally {
      progress.finish();
    }
  })();
  const v = result.version;
  out.result(
    () => ({ version: json.version(v), deduplicated: result.deduplicated }),
    () =>
      `${result.deduplicated ? 'already uploaded as' : 'uploaded'} ${versionLabel(v)} ` +
      `(${formatBytes(v.artifactSize)}, sha256 ${v.artifactSha256})\n`,
  );
}
