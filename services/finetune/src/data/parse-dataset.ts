import { invalidArgument } from '@headstart/errors';
import { CsvFormatError, parseCsv } from './csv';

export type DatasetFormat = 'jsonl' | 'csv';

/** One row of a labelled dataset, as read (values not yet interpreted). */
export interface DatasetRow {
  /** 1-based line of the row in the file. */
  line: number;
  fields: Record<string, unknown>;
}

export interface ParsedDataset {
  format: DatasetFormat;
  rows: DatasetRow[];
  /** Every field name seen, in first-seen order. */
  fieldNames: string[];
}

/**
 * The format from the version's metadata (`format`: jsonl | json-lines | ndjson | csv, or a `file_name`
 * extension), else from the content: JSONL when the first non-blank character is '{'.
 */
export function detectFormat(metadata: Record<string, string>, text: string): DatasetFormat {
  const declared = (metadata['format'] ?? '').toLowerCase();
  if (['jsonl', 'json-lines', 'ndjson'].includes(declared)) return 'jsonl';
  if (declared === 'csv') return 'csv';
  const fileName = (metadata['file_name'] ?? '').toLowerCase();
  if (/\.(jsonl|ndjson)$/.test(fileName)) return 'jsonl';
  if (fileName.endsWith('.csv')) return 'csv';
  return /^\s*\{/.test(text) ? 'jsonl' : 'csv';
}

function parseJsonl(text: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw invalidArgument(`dataset line ${i + 1} is not JSON: ${(err as Error).message}`, {
        field: 'dataset',
      });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalidArgument(`dataset line ${i + 1} is not a JSON object`, { field: 'dataset' });
    }
    rows.push({ line: i + 1, fields: value as Record<string, unknown> });
  }
  return rows;
}

/** Parses a labelled dataset artifact; malformed content is INVALID_ARGUMENT naming the line. */
export function parseDataset(bytes: Uint8Array, metadata: Record<string, string> = {}): ParsedDataset {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const format = detectFormat(metadata, text);
  let rows: DatasetRow[];
  if (format === 'jsonl') rows = parseJsonl(text);
  else {
    try {
      const csv = parseCsv(text);
      rows = csv.rows.map((fields, i) => ({ line: csv.lines[i] as number, fields }));
    } catch (err) {
      if (err instanceof CsvFormatError)
        throw invalidArgument(`dataset CSV: ${err.message}`, { field: 'dataset' });
      throw err;
    }
  }
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.fields)) names.add(name);
  return { format, rows, fieldNames: [...names] };
}
