import type { Logger } from '@headstart/service-kit';

import type { BlobStore } from '../storage/blob-store';
import type { MetadataStore } from '../storage/metadata-store';

export interface GarbageReport {
  temporaryFiles: number;
  orphanBlobs: number;
}

/**
 * What a crash can leave behind: temporary files of uploads that never finished, and blobs renamed
 * into place whose commit transaction never happened (or whose version's delete was interrupted).
 * Runs at start, before the server accepts uploads, so nothing it removes can be in use.
 */
export async function collectGarbage(
  metadata: MetadataStore,
  blobs: BlobStore,
  logger: Logger,
): Promise<GarbageReport> {
  const temporaryFiles = await blobs.removeTemporaryFiles();
  let orphanBlobs = 0;
  for await (const sha256 of blobs.list()) {
    if (await metadata.isBlobReferenced(sha256)) continue;
    await blobs.delete(sha256);
    orphanBlobs++;
  }
  if (temporaryFiles || orphanBlobs) {
    logger.info({ temporaryFiles, orphanBlobs }, 'removed leftovers of interrupted uploads and deletes');
  }
  return { temporaryFiles, orphanBlobs };
}
