import { invalidArgument } from '@headstart/errors';
import type { Line } from './split-lines';

export type CorpusFormatName = 'text' | 'lines' | 'jsonl';
export type SplitName = 'train' | 'validation';

export interface ParseOptions {
  format: CorpusFormatName;
  /** JSONL: the field holding the text. */
  textField: string;
  /** JSONL: a field holding "train" or "validation"; absent: the split is decided later (seeded). */
  splitField?: string;
  /** `text`: a paragraph longer than this (bytes) is refused, so one missing blank line cannot make
   * the whole file a single document held in memory. */
  maxDocumentBytes: number;
}

export interface ParsedDocument {
  text: string;
  /** The line the document starts on. */
  line: number;
  /** Only when the corpus assigns splits itself (JSONL with a split field). */
  split?: SplitName;
  /** Input bytes consumed up to the end of this document (after decompression), for progress. */
  bytesRead: number;
}

const BLANK = /^\s*$/;

function lineError(line: number, message: string, field?: string): Error {
  return invalidArgument(`line ${line}: ${message}`, {
    line: String(line),
    ...(field === undefined ? {} : { field }),
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function fromJsonLine(line: Line, options: ParseOptions): { text: string; split?: SplitName } {
  let record: unknown;
  try {
    record = JSON.parse(line.text);
  } catch (err) {
    throw lineError(line.number, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw lineError(line.number, `expected a JSON object, got ${describe(record)}`);
  }
  const fields = record as Record<string, unknown>;
  const text = fields[options.textField];
  if (!Object.hasOwn(fields, options.textField)) {
    throw lineError(line.number, `field ${JSON.stringify(options.textField)} is missing`, options.textField);
  }
  if (typeof text !== 'string') {
    throw lineError(
      line.number,
      `field ${JSON.stringify(options.textField)} is ${describe(text)}, not a string`,
      options.textField,
    );
  }
  if (options.splitField === undefined) return { text };
  const split = fields[options.splitField];
  if (split !== 'train' && split !== 'validation') {
    throw lineError(
      line.number,
      `field ${JSON.stringify(options.splitField)} must be "train" or "validation", got ${JSON.stringify(split) ?? 'nothing'}`,
      options.splitField,
    );
  }
  return { text, split };
}

/**
 * Turns lines into documents. `text`: paragraphs separated by blank lines (lines joined with "\n");
 * `lines`: every non-blank line; `jsonl`: one object per non-blank line. Texts are kept as written;
 * a JSONL text that is empty or only whitespace is passed on (and counted as dropped by the caller).
 */
export async function* parseDocuments(
  lines: AsyncIterable<Line>,
  options: ParseOptions,
): AsyncGenerator<ParsedDocument, void, undefined> {
  let bytesRead = 0;
  if (options.format === 'text') {
    let paragraph: string[] = [];
    let paragraphBytes = 0;
    let first = 0;
    for await (const line of lines) {
      bytesRead += line.bytes;
      if (BLANK.test(line.text)) {
        if (paragraph.length > 0) yield { text: paragraph.join('\n'), line: first, bytesRead };
        paragraph = [];
        paragraphBytes = 0;
        continue;
      }
      if (paragraph.length === 0) first = line.number;
      paragraph.push(line.text);
      paragraphBytes += line.bytes;
      if (paragraphBytes > options.maxDocumentBytes) {
        throw lineError(
          first,
          `the document starting here is longer than ${options.maxDocumentBytes} bytes ` +
            '(separate documents with blank lines, or use the lines or jsonl format)',
        );
      }
    }
    if (paragraph.length > 0) yield { text: paragraph.join('\n'), line: first, bytesRead };
    return;
  }
  for await (const line of lines) {
    bytesRead += line.bytes;
    if (BLANK.test(line.text)) continue;
    if (options.format === 'lines') {
      yield { text: line.text, line: line.number, bytesRead };
    } else {
      yield { ...fromJsonLine(line, options), line: line.number, bytesRead };
    }
  }
}
