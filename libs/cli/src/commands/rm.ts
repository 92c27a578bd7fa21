import { formatVersionRef, parseVersionRef, type RegistryClient } from '@headstart/registry-client';
import type { Output } from '../output';

/** `headstart rm NAME:VERSION`: deletes one version; only an explicit number is accepted. */
export async function removeVersion(client: RegistryClient, out: Output, ref: string): Promise<void> {
  const parsed = parseVersionRef(ref);
  await client.deleteVersion(parsed);
  const label = formatVersionRef(parsed);
  out.result(
    () => ({ deleted: label }),
    () => `deleted ${label}\n`,
  );
}
