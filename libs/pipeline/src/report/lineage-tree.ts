// The ancestry of a version as an indented tree (`relation name:version (KIND)`), each version expanded
// once: a version reached again is printed with "(see above)".
import { registry } from '@headstart/proto';

export interface LineageNode {
  ref: string;
  kind: string;
  /** The relation to the node's child in the tree (empty for the root). */
  relation: string;
  parents: LineageNode[];
  /** Already expanded above: its parents are not repeated. */
  repeated: boolean;
}

export function kindName(kind: registry.ModelKind): string {
  return registry.modelKindToJSON(kind).replace(/^MODEL_KIND_/, '');
}

/** Builds the tree of `root`'s ancestors from a GetLineage answer (direction: ancestors). */
export function lineageTree(lineage: registry.GetLineageResponse): LineageNode | undefined {
  const root = lineage.root;
  if (!root) return undefined;
  const byId = new Map<string, registry.ModelVersion>([
    [root.id, root],
    ...lineage.nodes.map((n) => [n.id, n] as const),
  ]);
  const expanded = new Set<string>();
  const build = (version: registry.ModelVersion, relation: string): LineageNode => {
    const repeated = expanded.has(version.id);
    expanded.add(version.id);
    const parents = repeated
      ? []
      : version.parents.flatMap((p) => {
          const parent = byId.get(p.versionId);
          return parent ? [build(parent, p.relation)] : [];
        });
    return {
      ref: `${version.modelName}:${version.version}`,
      kind: kindName(version.kind),
      relation,
      parents,
      repeated,
    };
  };
  return build(root, '');
}

/** Tree lines with box-drawing guides. */
export function formatLineageTree(node: LineageNode): string[] {
  const lines = [`${node.ref} (${node.kind})`];
  const walk = (children: LineageNode[], indent: string) => {
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(
        `${indent}${last ? '└─' : '├─'} ${child.relation} ${child.ref} (${child.kind})${child.repeated ? ' (see above)' : ''}`,
      );
      walk(child.parents, `${indent}${last ? '   ' : '│  '}`);
    });
  };
  walk(node.parents, '');
  return lines;
}

/** The refs on the path that follows `relations` from the root, e.g. finetuned_from → trained_on → ... */
export function followRelations(node: LineageNode, relations: readonly string[]): string[] {
  const path = [node.ref];
  let current: LineageNode | undefined = node;
  for (const relation of relations) {
    current = current?.parents.find((p) => p.relation === relation);
    if (!current) break;
    path.push(current.ref);
  }
  return path;
}
