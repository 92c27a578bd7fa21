// What StartRun learns about the shards before queueing anything: that the reference exists (NOT_FOUND),
// that it is a DATASET whose artifact really is a token-shards file (FAILED_PRECONDITION otherwise —
// a raw corpus is a DATASET too), and the header (vocabulary, special tokens, split sizes). Only the
// first bytes of the artifact are read: the download is cancelled once the header is in.
import { Writable } from 'node:stream';
import { Code, HeadstartError } from '@headstart/errors';
import type { common } from '@headstart/proto';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { versionRef } from '@headstart/registry-client';
import type { ShardsMeta } from '@headstart/shards';
import { MAX_HEADER_BYTES, SHARDS_FORMAT, SHARDS_MAGIC } from '@headstart/shards';
import { getSpecVersion } from './get-version';

const PREAMBLE_BYTES = 16;

export interface InspectedShards {
  version: registry.ModelVersion;
  /** The reference pinned to the version number it resolved to. */
  pinned: common.VersionRef;
  meta: Pick<ShardsMeta, 'vocabSize' | 'specialTokens' | 'splits' | 'tokenizerSha256'>;
}

function notShards(label: string, why: string, field: string): HeadstartError {
  return new HeadstartError(
    Code.FAILED_PRECONDITION,
    `${field} ${label} is not a token-shards dataset (${why}); tokenize a corpus first (ingest StartTokenize) ` +
      'and pass the resulting shards version',
    { details: { field } },
  );
}

/** Reads bytes of the artifact until `enough(bytes)` says so, then cancels the download. */
async function readHead(
  client: RegistryClient,
  ref: common.VersionRef,
  enough: (head: Buffer) => boolean,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let head = Buffer.alloc(0);
  const controller = new AbortController();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      head = Buffer.concat(parts);
      if (enough(head)) controller.abort();
      done();
    },
  });
  try {
    await client.downloadArtifact(ref, sink, { signal: controller.signal });
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  }
  return head;
}

function headerLength(head: Buffer): number | undefined {
  return head.length >= PREAMBLE_BYTES ? head.readUInt32LE(12) : undefined;
}

/** @param field the spec field naming the shards (`shards`, `mixture[1].shards`), for errors. */
export async function inspectShards(
  client: RegistryClient,
  ref: common.VersionRef,
  field = 'shards',
): Promise<InspectedShards> {
  const version = await getSpecVersion(client, ref, field);
  const label = `${version.modelName}:${version.version}`;
  if (version.kind !== registry.ModelKind.MODEL_KIND_DATASET) {
    throw notShards(label, `it is a ${registry.modelKindToJSON(version.kind)}, not a DATASET`, field);
  }
  const pinned = versionRef(version.modelName, version.version);
  const head = await readHead(client, pinned, (bytes) => {
    const length = headerLength(bytes);
    return length !== undefined && (bytes.length >= PREAMBLE_BYTES + length || length > MAX_HEADER_BYTES);
  });
  if (head.length < PREAMBLE_BYTES || head.toString('latin1', 0, 8) !== SHARDS_MAGIC) {
    throw notShards(label, 'its artifact does not start with the shards magic bytes', field);
  }
  const length = headerLength(head) as number;
  if (length > MAX_HEADER_BYTES || head.length < PREAMBLE_BYTES + length) {
    throw notShards(label, 'its header is truncated or too large', field);
  }
  let meta: ShardsMeta;
  try {
    meta = JSON.parse(head.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + length)) as ShardsMeta;
  } catch {
    throw notShards(label, 'its header is not JSON', field);
  }
  if (meta.format !== SHARDS_FORMAT || !Number.isSafeInteger(meta.vocabSize) || !meta.splits) {
    throw notShards(label, `its header describes ${String(meta.format)}`, field);
  }
  return { version, pinned, meta: { ...meta, specialTokens: meta.specialTokens ?? {} } };
}
