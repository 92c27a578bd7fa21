import { failedPrecondition } from '@headstart/errors';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { pinned } from '../spec/resolve-spec';

/**
 * The TOKENIZER version a model was tokenized with, found through lineage: a breadth-first walk of the
 * version's ancestors (base checkpoint → its parents → …), nearest first; at equal depth a
 * `tokenized_with` link wins over any other relation. FAILED_PRECONDITION when there is none.
 */
export async function findTokenizerVersion(
  client: RegistryClient,
  version: registry.ModelVersion,
  signal?: AbortSignal,
): Promise<registry.ModelVersion> {
  const lineage = await client.getLineage(pinned(version.modelName, version.version), {
    direction: 'ancestors',
    ...(signal ? { signal } : {}),
  });
  const nodes = new Map(lineage.nodes.map((n) => [n.id, n]));
  const parentsOf = new Map<string, registry.LineageEdge[]>();
  for (const edge of lineage.edges) {
    const list = parentsOf.get(edge.childId) ?? [];
    list.push(edge);
    parentsOf.set(edge.childId, list);
  }
  let frontier = [version.id];
  const seen = new Set(frontier);
  while (frontier.length > 0) {
    const edges = frontier.flatMap((id) => parentsOf.get(id) ?? []);
    edges.sort((a, b) => Number(b.relation === 'tokenized_with') - Number(a.relation === 'tokenized_with'));
    for (const edge of edges) {
      const node = nodes.get(edge.parentId);
      if (node?.kind === registry.ModelKind.MODEL_KIND_TOKENIZER) return node;
    }
    frontier = edges.map((e) => e.parentId).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  throw failedPrecondition(
    `${version.modelName}:${version.version} has no TOKENIZER among its ancestors: register the checkpoint ` +
      'with a parent link (relation tokenized_with) to the tokenizer it was trained with',
    { field: 'spec.base_model' },
  );
}
