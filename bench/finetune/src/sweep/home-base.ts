// The base a sweep fine-tunes: the newest version of a BASE_MODEL in a local Headstart home (what `make
// demo` leaves under .headstart/registry), and the tokenizer it was trained with, read straight from the
// registry's SQLite file and blob store (read-only; no service needs to run).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface HomeBase {
  /** `name:version` of the checkpoint. */
  label: string;
  checkpoint: Buffer;
  tokenizerJson: string;
}

interface VersionRow {
  id: string;
  version: number;
  sha256: string;
  name: string;
}

function blobPath(registryDir: string, sha256: string): string {
  return join(registryDir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** Walks parent links from the checkpoint up to the first TOKENIZER version (kind 2). */
function findTokenizer(db: Database.Database, versionId: string): VersionRow {
  const parents = db.prepare(
    `SELECT v.id, v.version, v.sha256, m.name, m.kind FROM version_parents p
     JOIN versions v ON v.id = p.parent_id JOIN models m ON m.id = v.model_id WHERE p.child_id = ?`,
  );
  const seen = new Set<string>();
  const queue = [versionId];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const row of parents.all(id) as (VersionRow & { kind: number })[]) {
      if (row.kind === 2) return row;
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      queue.push(row.id);
    }
  }
  throw new Error(`no tokenizer in the lineage of ${versionId}`);
}

export async function loadHomeBase(home: string, modelName: string, version?: number): Promise<HomeBase> {
  const registryDir = join(home, 'registry');
  const db = new Database(join(registryDir, 'registry.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT v.id, v.version, v.sha256, m.name FROM versions v JOIN models m ON m.id = v.model_id
         WHERE m.name = ? AND m.kind = 3 ${version === undefined ? '' : 'AND v.version = ?'}
         ORDER BY v.version DESC LIMIT 1`,
      )
      .get(...(version === undefined ? [modelName] : [modelName, version])) as VersionRow | undefined;
    if (!row) throw new Error(`no BASE_MODEL ${modelName}${version ? `:${version}` : ''} in ${registryDir}`);
    const tokenizer = findTokenizer(db, row.id);
    return {
      label: `${row.name}:${row.version}`,
      checkpoint: await readFile(blobPath(registryDir, row.sha256)),
      tokenizerJson: await readFile(blobPath(registryDir, tokenizer.sha256), 'utf8'),
    };
  } finally {
    db.close();
  }
}
