import type { registry } from '@headstart/proto';
import type { RegistryClient, UploadMetadata, UploadSource } from '@headstart/registry-client';

/**
 * Registers a job's result. A cancellation can race the commit: the registry may commit the upload
 * just as the client cancels it, and the client then sees CANCELLED. So after a failure under an aborted
 * signal, the registry is asked for a version this run (job id) registered; if there is one, the job
 * did succeed and says so, rather than claiming "cancelled, nothing registered" next to a new version.
 */
export async function registerVersion(
  client: RegistryClient,
  metadata: UploadMetadata & { runId: string },
  source: UploadSource,
  signal: AbortSignal,
): Promise<registry.ModelVersion> {
  signal.throwIfAborted();
  try {
    return (await client.createVersion(metadata, source, { signal })).version;
  } catch (err) {
    if (!signal.aborted) throw err;
    const committed = await client
      .searchVersionsPage({ modelName: metadata.modelName, runId: metadata.runId }, { pageSize: 1 })
      .then((page) => page.versions[0])
      .catch(() => undefined);
    if (committed !== undefined) return committed;
    throw err;
  }
}
