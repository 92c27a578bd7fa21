import type Database from 'better-sqlite3';
import { invalidArgument } from '@headstart/errors';

/** Keyset page tokens over (created_ms DESC, id DESC): stable while rows are added. */
export function encodePageToken(createdMs: number, id: string): string {
  return Buffer.from(`${createdMs}:${id}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): { createdMs: number; id: string } {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const cut = text.indexOf(':');
  const createdMs = Number(text.slice(0, cut));
  const id = text.slice(cut + 1);
  if (cut <= 0 || id === '' || !Number.isSafeInteger(createdMs)) {
    throw invalidArgument('page_token is not one this service issued', { field: 'page_token' });
  }
  return { createdMs, id };
}

/**
 * One page of `table` newest first, filtered by `filters` (column → value; undefined or '' skipped):
 * rows after the page token, up to `pageSize`, and the token of the next page ('' on the last).
 */
export function keysetPage<Row extends { id: string; created_ms: number }>(
  db: Database.Database,
  query: { table: string; columns: string; filters: Record<string, string | number | undefined> },
  page: { pageSize: number; pageToken: string },
): { rows: Row[]; nextPageToken: string } {
  const where: string[] = [];
  const args: unknown[] = [];
  for (const [column, value] of Object.entries(query.filters)) {
    if (value === undefined || value === '') continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  if (page.pageToken !== '') {
    const after = decodePageToken(page.pageToken);
    where.push('(created_ms < ? OR (created_ms = ? AND id < ?))');
    args.push(after.createdMs, after.createdMs, after.id);
  }
  const sql =
    `SELECT id, created_ms, ${query.columns} FROM ${query.table}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY created_ms DESC, id DESC LIMIT ?';
  const rows = db.prepare(sql).all(...args, page.pageSize + 1) as Row[];
  const kept = rows.slice(0, page.pageSize);
  const last = kept[kept.length - 1];
  return {
    rows: kept,
    nextPageToken: rows.length > page.pageSize && last ? encodePageToken(last.created_ms, last.id) : '',
  };
}
