import { alreadyExists, invalidArgument, resourceExhausted } from '@headstart/errors';
import type { registry } from '@headstart/proto';

import { newVersionId } from '../domain/ids';
import type { VersionDraft } from '../domain/version-draft';
import { toVersionDraft } from '../domain/version-draft';
import type { BlobInfo, BlobStore, BlobWriter } from '../storage/blob-store';
import type { CommitVersionResult, MetadataStore } from '../storage/metadata-store';
import type { KeyLock } from './key-lock';

export interface UploadDeps {
  metadata: MetadataStore;
  blobs: BlobStore;
  blobLocks: KeyLock;
  maxArtifactBytes: number;
  /** Called after a version committed (wakes the outbox relay). */
  onCommitted: () => void;
}

/** Takes the first message: it must be the metadata, and everything in it must hold. */
async function readDraft(
  iterator: AsyncIterator<registry.CreateVersionRequest>,
  deps: UploadDeps,
): Promise<VersionDraft> {
  const first = await iterator.next();
  if (first.done) throw invalidArgument('CreateVersion stream ended before its metadata message');
  const payload = first.value.payload;
  if (payload?.$case !== 'metadata') {
    throw invalidArgument('the first CreateVersion message must carry the metadata; chunks come after it');
  }
  const draft = toVersionDraft(payload.metadata, deps.maxArtifactBytes);
  await deps.metadata.checkCommitPreconditions(draft);
  return draft;
}

/** Streams the chunks to the writer, enforcing the size limit and the declared size as they come. */
async function receiveBytes(
  iterator: AsyncIterator<registry.CreateVersionRequest>,
  writer: BlobWriter,
  draft: VersionDraft,
  maxArtifactBytes: number,
): Promise<BlobInfo> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const payload = next.value.payload;
    if (payload?.$case !== 'chunk') {
      throw invalidArgument('after the first message, CreateVersion messages must carry chunks only');
    }
    const total = writer.size + payload.chunk.length;
    if (total > maxArtifactBytes) {
      throw resourceExhausted(`artifact is larger than the registry's limit of ${maxArtifactBytes} bytes`);
    }
    if (draft.expectedSize !== undefined && total > draft.expectedSize) {
      throw invalidArgument(
        `artifact is larger than its declared expected_size of ${draft.expectedSize} bytes`,
      );
    }
    await writer.write(payload.chunk);
  }
  const blob = await writer.finish();
  checkDeclared(draft, blob);
  return blob;
}

/**
 * A mismatch with what the client declared is INVALID_ARGUMENT, not DATA_LOSS: the client sent
 * bytes that contradict its own request, and nothing stored was damaged. DATA_LOSS is kept for
 * stored bytes found corrupt on read.
 */
function checkDeclared(draft: VersionDraft, blob: BlobInfo): void {
  if (draft.expectedSize !== undefined && blob.size !== draft.expectedSize) {
    throw invalidArgument(`artifact has ${blob.size} bytes but expected_size declared ${draft.expectedSize}`);
  }
  if (draft.expectedSha256 !== undefined && blob.sha256 !== draft.expectedSha256) {
    throw invalidArgument(
      `artifact sha256 is ${blob.sha256} but expected_sha256 declared ${draft.expectedSha256}`,
    );
  }
}

/** Removes a blob nothing references any more. Call while holding the digest's lock. */
export async function releaseBlobIfUnreferenced(
  deps: Pick<UploadDeps, 'metadata' | 'blobs'>,
  sha256: string,
) {
  if (!(await deps.metadata.isBlobReferenced(sha256))) await deps.blobs.delete(sha256);
}

/**
 * CreateVersion: metadata first (validated before any byte is accepted), then bytes streamed to a
 * temporary file while hashed, then: fsync, rename into the blob store, and one transaction with
 * the version and its outbox rows. Any failure or a dropped client removes the temporary file; a
 * crash leaves at most a temporary file or an unreferenced blob, both collected at the next start.
 */
export async function createVersion(
  requests: AsyncIterable<registry.CreateVersionRequest>,
  signal: AbortSignal,
  deps: UploadDeps,
): Promise<CommitVersionResult> {
  const iterator = requests[Symbol.asyncIterator]();
  const draft = await readDraft(iterator, deps);
  const writer = await deps.blobs.createWriter();
  try {
    const blob = await receiveBytes(iterator, writer, draft, deps.maxArtifactBytes);
    if (draft.idempotencyKey !== undefined) {
      // A retry of a committed upload: answer from the database and leave the blob store alone.
      const earlier = await deps.metadata.findByIdempotencyKey(draft.modelName, draft.idempotencyKey);
      if (earlier?.artifactSha256 === blob.sha256) return { version: earlier, deduplicated: true };
      if (earlier) {
        throw alreadyExists(
          `idempotency_key ${JSON.stringify(draft.idempotencyKey)} already committed version ` +
            `${earlier.modelName}:${earlier.version} with a different artifact`,
        );
      }
    }
    return await deps.blobLocks.run(blob.sha256, async () => {
      // A client that gave up while its bytes were being flushed is not surprised by a version.
      if (signal.aborted) throw signal.reason;
      await writer.commit();
      try {
        const result = await deps.metadata.commitVersion({
          id: newVersionId(),
          draft,
          blob,
          createdAt: new Date(),
        });
        if (!result.deduplicated) deps.onCommitted();
        return result;
      } catch (err) {
        // Best effort: an unreferenced blob left here is collected by the next start's sweep.
        await releaseBlobIfUnreferenced(deps, blob.sha256).catch(() => undefined);
        throw err;
      }
    });
  } finally {
    await writer.abort();
  }
}
