import type { registry } from '@headstart/proto';

import type { Lineage, LineageQuery } from '../metadata-store';
import type { VersionRow } from './rows';
import { toModelVersion, VERSION_SELECT } from './rows';
import type { Sql } from './sql';

// The lineage graph cannot contain a cycle, by construction: a parent must exist before its child is
// committed (the commit transaction resolves it), a version's parents are fixed at commit (versions
// are immutable), and a new version's id is fresh, so no edge can ever point "forward" to a version
// committed later. The recursive walks below therefore terminate; UNION (not UNION ALL) also keeps
// diamond-shaped graphs from being walked once per path.

/** Deeper than any real lineage; stands for "unlimited" inside the recursive query. */
const UNLIMITED_DEPTH = 1_000_000;

function walk(
  sql: Sql,
  start: string,
  direction: 'ancestors' | 'descendants',
  maxDepth: number,
): Set<string> {
  const [from, to] = direction === 'ancestors' ? ['child_id', 'parent_id'] : ['parent_id', 'child_id'];
  const rows = sql.all<{ id: string }>(
    `WITH RECURSIVE reached(id, depth) AS (
       SELECT ?, 0
       UNION
       SELECT p.${to}, r.depth + 1 FROM version_parents p JOIN reached r ON p.${from} = r.id WHERE r.depth < ?
     )
     SELECT DISTINCT id FROM reached WHERE id <> ?`,
    start,
    maxDepth,
    start,
  );
  return new Set(rows.map((r) => r.id));
}

function edgesWithin(sql: Sql, children: Set<string>, parents: Set<string>): registry.LineageEdge[] {
  const rows = sql.all<{ child_id: string; parent_id: string; relation: string }>(
    `SELECT child_id, parent_id, relation FROM version_parents
     WHERE child_id IN (SELECT value FROM json_each(?)) AND parent_id IN (SELECT value FROM json_each(?))`,
    JSON.stringify([...children]),
    JSON.stringify([...parents]),
  );
  return rows.map((r) => ({ childId: r.child_id, parentId: r.parent_id, relation: r.relation }));
}

/** Ancestors and/or descendants of a version, with the edges between the versions reached. */
export function lineage(sql: Sql, query: LineageQuery): Lineage {
  const maxDepth = query.maxDepth ?? UNLIMITED_DEPTH;
  const root = query.versionId;
  const reached = new Set<string>();
  const edges = new Map<string, registry.LineageEdge>();
  const addEdges = (list: registry.LineageEdge[]) => {
    for (const edge of list) edges.set(`${edge.childId} ${edge.parentId} ${edge.relation}`, edge);
  };
  if (query.direction !== 'descendants') {
    const ancestors = walk(sql, root, 'ancestors', maxDepth);
    ancestors.forEach((id) => reached.add(id));
    addEdges(edgesWithin(sql, new Set([root, ...ancestors]), ancestors));
  }
  if (query.direction !== 'ancestors') {
    const descendants = walk(sql, root, 'descendants', maxDepth);
    descendants.forEach((id) => reached.add(id));
    addEdges(edgesWithin(sql, descendants, new Set([root, ...descendants])));
  }
  const rows = sql.all<VersionRow>(
    `${VERSION_SELECT} WHERE v.id IN (SELECT value FROM json_each(?)) ORDER BY m.name, v.version`,
    JSON.stringify([...reached]),
  );
  return {
    nodes: rows.map((row) => toModelVersion(sql, row)),
    edges: [...edges.values()].sort(
      (a, b) =>
        a.childId.localeCompare(b.childId) ||
        a.parentId.localeCompare(b.parentId) ||
        a.relation.localeCompare(b.relation),
    ),
  };
}
