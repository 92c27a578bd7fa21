import type { registry } from '@headstart/proto';
import { formatKind, versionLabel } from './format';

type Direction = 'ancestors' | 'descendants';

interface Link {
  relation: string;
  node: registry.ModelVersion;
}

/** Neighbours of every node in one direction: its parents (ancestors) or its children (descendants). */
function linksByNode(lineage: registry.GetLineageResponse, direction: Direction): Map<string, Link[]> {
  const nodes = new Map<string, registry.ModelVersion>();
  for (const node of [...(lineage.root === undefined ? [] : [lineage.root]), ...lineage.nodes])
    nodes.set(node.id, node);
  const links = new Map<string, Link[]>();
  for (const edge of lineage.edges) {
    const [from, to] =
      direction === 'ancestors' ? [edge.childId, edge.parentId] : [edge.parentId, edge.childId];
    const node = nodes.get(to);
    if (node === undefined) continue;
    const existing = links.get(from) ?? [];
    existing.push({ relation: edge.relation, node });
    links.set(from, existing);
  }
  for (const list of links.values()) {
    list.sort(
      (a, b) =>
        versionLabel(a.node).localeCompare(versionLabel(b.node)) || a.relation.localeCompare(b.relation),
    );
  }
  return links;
}

function nodeText(node: registry.ModelVersion): string {
  // A corpus built with evaluation splits (CreateCorpusFromDataset with allow_eval_splits): whatever is
  // pre-trained on it has seen texts its fine-tunes are scored on, so every lineage view says so.
  const warning = node.metadata['includes_eval_splits'] === 'true' ? '  (warning: includes eval splits)' : '';
  return `${versionLabel(node)}  ${formatKind(node.kind)}${warning}`;
}

/**
 * The graph as an indented tree, one direction at a time. The lineage is a DAG, so a version reached
 * twice (a diamond) is printed again but not expanded again.
 */
export function renderTree(lineage: registry.GetLineageResponse, direction: Direction): string[] {
  const root = lineage.root;
  if (root === undefined) return [];
  const links = linksByNode(lineage, direction);
  const expanded = new Set<string>([root.id]);
  const lines: string[] = [];
  const arrow = direction === 'ancestors' ? '←' : '→';
  const walk = (id: string, indent: string): void => {
    const children = links.get(id) ?? [];
    children.forEach((link, index) => {
      const last = index === children.length - 1;
      const seen = expanded.has(link.node.id);
      lines.push(
        `${indent}${last ? '└── ' : '├── '}${link.relation} ${arrow} ${nodeText(link.node)}${seen ? '  (shown above)' : ''}`,
      );
      if (seen) return;
      expanded.add(link.node.id);
      walk(link.node.id, indent + (last ? '    ' : '│   '));
    });
  };
  walk(root.id, '');
  return lines;
}

/** The whole lineage for people: the root, then its ancestors and/or descendants as trees. */
export function renderLineage(
  lineage: registry.GetLineageResponse,
  directions: readonly Direction[],
): string {
  const root = lineage.root;
  if (root === undefined) return 'no lineage\n';
  const out = [nodeText(root)];
  for (const direction of directions) {
    const tree = renderTree(lineage, direction);
    const title = direction === 'ancestors' ? 'ancestors (made from)' : 'descendants (made from it)';
    out.push(`${title}:`, ...(tree.length === 0 ? ['    (none)'] : tree.map((line) => `  ${line}`)));
  }
  return `${out.join('\n')}\n`;
}
