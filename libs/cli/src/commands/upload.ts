import * as path from 'node:path';
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

/** `headstart upload NAME FILE --kind K ...`: hashes the file, streams it, prints the new version. */
export async function upload(
  client: RegistryClient,
  out: Output,
  name: string,
  file: string,
  options: UploadOptions,
): Promise<void> {
  const metadata = uploadMetadata(name, options);
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
