import { dataLoss } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import type { VersionLocator } from '../domain/locator';
import type { BlobStore } from '../storage/blob-store';
import type { CommitVersionResult, MetadataStore } from '../storage/metadata-store';
import type { GarbageReport } from './garbage-collection';
import { collectGarbage } from './garbage-collection';
import { KeyLock } from './key-lock';
import { createVersion, releaseBlobIfUnreferenced } from './upload';

export interface RegistryOptions {
  metadata: MetadataStore;
  blobs: BlobStore;
  logger: Logger;
  /** Largest artifact accepted. */
  maxArtifactBytes: number;
  /** Size of the chunks DownloadArtifact sends. */
  downloadChunkBytes: number;
  /** Called after each commit that wrote outbox rows. */
  onCommitted?: () => void;
}

export interface Artifact {
  info: registry.ArtifactInfo;
  /** The bytes, verified against the digest as they are read (DATA_LOSS at the end if they differ). */
  chunks: AsyncIterable<Buffer>;
}

/**
 * The operations that touch both stores (uploads, deletes, downloads, garbage collection). Lookups
 * that only read metadata go straight to the MetadataStore.
 */
export class Registry {
  readonly metadata: MetadataStore;
  readonly blobs: BlobStore;
  private readonly blobLocks = new KeyLock();

  constructor(private readonly options: RegistryOptions) {
    this.metadata = options.metadata;
    this.blobs = options.blobs;
  }

  createVersion(
    requests: AsyncIterable<registry.CreateVersionRequest>,
    signal: AbortSignal,
  ): Promise<CommitVersionResult> {
    return createVersion(requests, signal, {
      metadata: this.metadata,
      blobs: this.blobs,
      blobLocks: this.blobLocks,
      maxArtifactBytes: this.options.maxArtifactBytes,
      onCommitted: () => this.options.onCommitted?.(),
    });
  }

  /** Deletes a version, then its blob if no other version shares the bytes. */
  async deleteVersion(modelName: string, version: number, actor?: string): Promise<registry.ModelVersion> {
    const deleted = await this.metadata.deleteVersion(modelName, version, new Date(), actor);
    this.options.onCommitted?.();
    const sha256 = deleted.artifactSha256;
    try {
      await this.blobLocks.run(sha256, () => releaseBlobIfUnreferenced(this, sha256));
    } catch (err) {
      this.options.logger.warn(
        { err, sha256 },
        'could not remove the blob of a deleted version; the next start will',
      );
    }
    return deleted;
  }

  async openArtifact(locator: VersionLocator): Promise<Artifact> {
    const version = await this.metadata.resolveVersion(locator);
    const sha256 = version.artifactSha256;
    const stored = await this.blobs.stat(sha256);
    if (!stored)
      throw dataLoss(`the artifact of ${version.modelName}:${version.version} (${sha256}) is missing`);
    if (stored.size !== version.artifactSize) {
      throw dataLoss(
        `the artifact of ${version.modelName}:${version.version} has ${stored.size} bytes, ${version.artifactSize} were stored`,
      );
    }
    return {
      info: { versionId: version.id, sha256, size: version.artifactSize },
      chunks: this.blobs.read(sha256, { chunkBytes: this.options.downloadChunkBytes }),
    };
  }

  /** Signals that a write outside this class (aliases, tags) left outbox rows to relay. */
  notifyCommitted(): void {
    this.options.onCommitted?.();
  }

  collectGarbage(): Promise<GarbageReport> {
    return collectGarbage(this.metadata, this.blobs, this.options.logger);
  }
}
