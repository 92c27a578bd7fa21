import { LabelledFileChecker, LabelledFileError, labelledFileFormat } from '@headstart/datasets';
import { invalidArgument } from '@headstart/errors';

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
export function detectFormat(metadata: Record<string, string>, bytes: Uint8Array): DatasetFormat {
  const known = labelledFileFormat(metadata['format'], metadata['file_name'] ?? '');
  if (known !== undefined) return known;
  for (const b of bytes.subarray(0, 4096)) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b ? 'jsonl' : 'csv';
  }
  return 'csv';
}

/**
 * Parses a labelled dataset artifact with the same check the CLI runs before an upload (@headstart/datasets:
 * UTF-8, the line bound, JSON and CSV syntax); malformed content is INVALID_ARGUMENT naming the line and the
 * fix. The text and label fields are checked against the job's spec later (prepareExamples).
 */
export function parseDataset(bytes: Uint8Array, metadata: Record<string, string> = {}): ParsedDataset {
  const format = detectFormat(metadata, bytes);
  const rows: DatasetRow[] = [];
  const checker = new LabelledFileChecker({
    format,
    requireLabels: false,
    onRow: (fields, line) => rows.push({ line, fields }),
  });
  let fieldNames: string[];
  try {
    checker.push(bytes);
    fieldNames = checker.end().fields;
  } catch (err) {
    if (!(err instanceof LabelledFileError)) throw err;
    const details: Record<string, string> = { field: 'dataset', problem: err.kind };
    if (err.line !== undefined) details['line'] = String(err.line);
    if (err.byteOffset !== undefined) details['byte_offset'] = String(err.byteOffset);
    throw invalidArgument(`dataset ${err.message}`, details);
  }
  return { format, rows, fieldNames };
}
