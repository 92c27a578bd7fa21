import type { RegistryClient, TagTarget } from '@headstart/registry-client';
import { list } from '../format';
import type { Output } from '../output';

/** A bare NAME means the model's tags; NAME:VERSION, NAME@ALIAS or NAME:latest mean one version's. */
export function tagTarget(ref: string): TagTarget {
  return /[:@]/.test(ref) ? { version: ref } : { model: ref };
}

/** `headstart tags add|rm REF TAG...`. */
export async function changeTags(
  client: RegistryClient,
  out: Output,
  action: 'add' | 'rm',
  ref: string,
  tags: string[],
): Promise<void> {
  const result = await client.setTags(tagTarget(ref), action === 'add' ? { add: tags } : { remove: tags });
  out.result(
    () => ({ target: ref, tags: result }),
    () => `tags of ${ref}: ${list(result)}\n`,
  );
}
