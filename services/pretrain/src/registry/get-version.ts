// A version a run spec names, looked up for StartRun: NOT_FOUND names the spec field it came from.
import { Code, HeadstartError } from '@headstart/errors';
import type { common, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { formatVersionRef } from '@headstart/registry-client';

export async function getSpecVersion(
  client: RegistryClient,
  ref: common.VersionRef,
  field: string,
): Promise<registry.ModelVersion> {
  try {
    return await client.getVersion(ref);
  } catch (err) {
    const error = HeadstartError.from(err);
    if (error.code !== Code.NOT_FOUND) throw error;
    throw new HeadstartError(Code.NOT_FOUND, `${field} ${formatVersionRef(ref)}: ${error.message}`, {
      cause: err,
      details: { field },
    });
  }
}
