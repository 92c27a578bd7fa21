import * as fs from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { requireDebianFile } from './debian';

/** Where Debian's dict-gcide puts the dictionary (dictd format: a dictzip text and its index). */
export const GCIDE_DICT = '/usr/share/dictd/gcide.dict.dz';
export const GCIDE_INDEX = '/usr/share/dictd/gcide.index';

/** One dictd entry of GCIDE: the text an index line points at (a headword with all its senses). */
export interface GcideEntry {
  /** The first headword the index gives for this text. */
  readonly headword: string;
  readonly text: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** dictd writes offsets and lengths in its own base-64 digits, most significant first. */
export function decodeDictNumber(digits: string): number {
  let n = 0;
  for (const c of digits) {
    const d = BASE64.indexOf(c);
    if (d < 0) throw new Error(`bad dictd number '${digits}'`);
    n = n * 64 + d;
  }
  return n;
}

export function encodeDictNumber(n: number): string {
  let digits = '';
  do {
    digits = BASE64.charAt(n % 64) + digits;
    n = Math.floor(n / 64);
  } while (n > 0);
  return digits;
}

/**
 * The entries of a dictd database in file order. The index is what delimits entries: inside the text a
 * blank line separates senses as well as entries, and a headword line can sit right after a quotation.
 * Several index lines (spelling variants) share one text; it is returned once. The `00-database-*`
 * entries (the database's own description and licence) are left out.
 */
export function parseDictd(dict: Buffer, index: string): GcideEntry[] {
  const byOffset = new Map<number, { headword: string; length: number }>();
  for (const line of index.split('\n')) {
    if (!line) continue;
    const [headword, offset, length] = line.split('\t');
    if (headword === undefined || offset === undefined || length === undefined) {
      throw new Error(`bad dictd index line '${line}'`);
    }
    if (headword.startsWith('00-')) continue;
    const at = decodeDictNumber(offset);
    if (!byOffset.has(at)) byOffset.set(at, { headword, length: decodeDictNumber(length) });
  }
  // latin1: one char per byte, so the index's byte offsets are string offsets. The file is ASCII but
  // for three stray Windows-1252 bytes, which this keeps as they are.
  const text = dict.toString('latin1');
  return [...byOffset]
    .sort(([a], [b]) => a - b)
    .map(([at, { headword, length }]) => ({ headword, text: text.slice(at, at + length) }));
}

/** Reads GCIDE from the dict-gcide package (or the given files); fails naming the apt package if absent. */
export async function readGcide(dictPath = GCIDE_DICT, indexPath = GCIDE_INDEX): Promise<GcideEntry[]> {
  await requireDebianFile('dict-gcide', dictPath);
  // A .dict.dz is a gzip file with dictzip's random-access table in the header's extra field.
  const dict = gunzipSync(await fs.readFile(dictPath));
  return parseDictd(dict, await fs.readFile(indexPath, 'latin1'));
}
