import { createHash } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import type { ProgressListener } from './artifact-sink';
import { callClientStream, cancelledError, isAborted, type CallContext, type CallSettings } from './call';
import { parseModelKind, type ModelKindInput } from './model-kind';
import { prepareSource, type UploadSource } from './upload-source';
import { toVersionRef, type VersionRefInput } from './version-ref';

/** Default size of one artifact message. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** gRPC's default receive limit is 4 MiB per message; leave room for the envelope. */
export const MAX_CHUNK_BYTES = (4 << 20) - (64 << 10);

export interface ParentInput {
  ref: VersionRefInput;
  /** trained_on, tokenized_with, finetuned_from, resumed_from... */
  relation: string;
}

/** The metadata of a new version, with friendlier types than the wire message. */
export interface UploadMetadata {
  modelName: string;
  kind: ModelKindInput;
  /** Used when this upload creates the model. */
  modelDescription?: string;
  description?: string;
  metadata?: Record<string, string>;
  metrics?: Record<string, number>;
  parents?: ParentInput[];
  tags?: string[];
  runId?: string;
  /** Aliases moved onto the new version in the commit's transaction. */
  aliases?: string[];
  /** A retry with the same key returns the version the first attempt committed. */
  idempotencyKey?: string;
  /** Known digest (lowercase hex); computed for buffers and files when not given. */
  expectedSha256?: string;
  expectedSize?: number;
}

export interface UploadOptions extends CallSettings {
  /** Bytes per message. @default 1 MiB */
  chunkBytes?: number;
  /** Hash a file before sending it so the server can verify it. @default true */
  prehashFile?: boolean;
  onProgress?: ProgressListener;
}

export interface UploadResult {
  version: registry.ModelVersion;
  /** True when an earlier upload with the same idempotency key had committed this version. */
  deduplicated: boolean;
}

function toWireMetadata(
  input: UploadMetadata,
  known: { sha256?: string; size?: number },
): registry.VersionMetadata {
  const expectedSize = input.expectedSize ?? known.size;
  return {
    modelName: input.modelName,
    kind: parseModelKind(input.kind),
    modelDescription: input.modelDescription ?? '',
    description: input.description ?? '',
    metadata: { ...input.metadata },
    metrics: { ...input.metrics },
    parents: (input.parents ?? []).map((p) => ({ ref: toVersionRef(p.ref), relation: p.relation })),
    tags: [...(input.tags ?? [])],
    runId: input.runId ?? '',
    expectedSha256: input.expectedSha256 ?? known.sha256 ?? '',
    ...(expectedSize === undefined ? {} : { expectedSize }),
    idempotencyKey: input.idempotencyKey ?? '',
    aliases: [...(input.aliases ?? [])],
  };
}

function checkChunkBytes(chunkBytes: number): void {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `chunkBytes must be an integer between 1 and ${MAX_CHUNK_BYTES}, got ${chunkBytes}`,
    );
  }
}

function sourceError(err: unknown): HeadstartError {
  if (err instanceof HeadstartError) return err;
  return new HeadstartError(Code.UNKNOWN, `reading the upload source failed: ${String(err)}`, { cause: err });
}

/**
 * Streams an artifact into CreateVersion: the metadata first, then chunks, waiting for 'drain' when
 * the stream is full. The bytes are hashed on the way and compared with the digest the registry
 * committed, so a version whose bytes differ from what was read is reported as DATA_LOSS.
 */
export async function createVersion(
  client: registry.RegistryServiceClient,
  context: CallContext,
  input: UploadMetadata,
  source: UploadSource,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  checkChunkBytes(chunkBytes);
  const signal = options.signal;
  if (isAborted(signal)) throw cancelledError(context);
  const prepared = await prepareSource(source, chunkBytes, {
    prehashFile: (options.prehashFile ?? true) && input.expectedSha256 === undefined,
  });
  const metadata = toWireMetadata(input, {
    ...(prepared.sha256 === undefined ? {} : { sha256: prepared.sha256 }),
    ...(prepared.size === undefined ? {} : { size: prepared.size }),
  });

  const hash = createHash('sha256');
  let sent = 0;
  const response = await callClientStream<registry.CreateVersionRequest, registry.CreateVersionResponse>(
    (callOptions, callback) => client.createVersion(new Metadata(), callOptions, callback),
    async (sink) => {
      try {
        await sink.write({ payload: { $case: 'metadata', metadata } });
        for await (const chunk of prepared.chunks) {
          if (sink.answered) break; // the registry answered early (an error): stop reading
          hash.update(chunk);
          sent += chunk.length;
          await sink.write({ payload: { $case: 'chunk', chunk } });
          options.onProgress?.({ bytes: sent, totalBytes: prepared.size });
        }
      } catch (err) {
        throw sourceError(err);
      }
    },
    context,
    signal,
  );
  return checkCommitted(response, hash.digest('hex'), sent, input);
}

function checkCommitted(
  response: registry.CreateVersionResponse,
  sentSha256: string,
  sentBytes: number,
  input: UploadMetadata,
): UploadResult {
  const version = response.version;
  if (version === undefined) {
    throw new HeadstartError(Code.INTERNAL, 'registry answered CreateVersion without a version');
  }
  const label = `${version.modelName}:${version.version}`;
  if (version.artifactSha256 !== sentSha256 || version.artifactSize !== sentBytes) {
    if (response.deduplicated) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `idempotency key "${input.idempotencyKey ?? ''}" already committed ${label} with a different artifact ` +
          `(sha256 ${version.artifactSha256}, this upload ${sentSha256}); use a new key for new bytes`,
      );
    }
    throw new HeadstartError(
      Code.DATA_LOSS,
      `registry committed ${label} with sha256 ${version.artifactSha256} (${version.artifactSize} bytes) but ` +
        `${sentSha256} (${sentBytes} bytes) was sent`,
    );
  }
  return { version, deduplicated: response.deduplicated };
}
