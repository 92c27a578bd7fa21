import { Code, HeadstartError } from '@headstart/errors';
import type { LineageDirectionInput, RegistryClient } from '@headstart/registry-client';
import { parseCount } from '../args';
import { json } from '../format';
import { renderLineage } from '../lineage-tree';
import type { Output } from '../output';

export interface LineageOptions {
  ancestors?: boolean;
  descendants?: boolean;
  /** 0: unlimited. */
  depth?: string;
}

/** `headstart lineage REF`: ancestors and/or descendants, as a tree or as nodes + edges in JSON. */
export async function showLineage(
  client: RegistryClient,
  out: Output,
  ref: string,
  options: LineageOptions,
): Promise<void> {
  if (options.ancestors === true && options.descendants === true) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      'give --ancestors or --descendants, or neither for both, not both flags',
    );
  }
  const direction: LineageDirectionInput =
    options.ancestors === true ? 'ancestors' : options.descendants === true ? 'descendants' : 'both';
  const maxDepth = options.depth === undefined ? 0 : parseCount(options.depth, 'depth');
  const lineage = await client.getLineage(ref, { direction, maxDepth });
  out.result(
    () => json.lineage(lineage),
    () => renderLineage(lineage, direction === 'both' ? ['ancestors', 'descendants'] : [direction]),
  );
}
