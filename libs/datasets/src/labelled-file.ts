// The one check of a user's labelled file (CSV with a header, or JSONL), shared by the CLI (before it
// uploads a dataset) and the finetune service (when a job reads one): streaming, line by line, with memory
// bounded by the longest line allowed. Every refusal names the line (and for bad bytes the byte offset)
// and says how to fix the file.

export type LabelledFileFormat = 'csv' | 'jsonl';

/** What the check refuses, one kind per fix. */
export type LabelledFileProblemKind =
  | 'not-utf8'
  | 'line-too-long'
  | 'not-json'
  | 'not-object'
  | 'csv-syntax'
  | 'missing-fields'
  | 'empty-text'
  | 'empty-label'
  | 'no-rows'
  | 'one-class';

export class LabelledFileError extends Error {
  override readonly name = 'LabelledFileError';
  constructor(
    readonly kind: LabelledFileProblemKind,
    /** What is wrong, starting with where (`line 3: ...`). */
    readonly problem: string,
    /** What to do about it. */
    readonly fix: string,
    /** 1-based line, when the problem is on one. */
    readonly line?: number,
    /** 0-based offset in the file of the first bad byte (not-utf8). */
    readonly byteOffset?: number,
  ) {
    super(`${problem}; ${fix}`);
  }
}

export interface LabelledFileCheckOptions {
  format: LabelledFileFormat;
  /** @default 'text' */
  textField?: string;
  /** @default 'label' */
  labelField?: string;
  /** Longest line (a CSV record, quoted newlines included) in bytes. @default 100 MiB */
  maxLineBytes?: number;
  /**
   * Whether the text and label must be on every row, non-empty, and take at least two classes (the CLI
   * before an upload). Off: only the encoding, line length and syntax (the service, whose field names and
   * splits come from the job's spec).
   * @default true
   */
  requireLabels?: boolean;
  /** Called with each row as read (CSV values are strings), and its 1-based line. */
  onRow?: (fields: Record<string, unknown>, line: number) => void;
}

export interface LabelledFileSummary {
  rows: number;
  /** Every field name seen (the CSV header), in first-seen order. */
  fields: string[];
  /** Rows per label (with requireLabels). */
  labels: Map<string, number>;
}

const NAME_FIELDS =
  'upload with --meta text_field=NAME --meta label_field=NAME and fine-tune with --text-field NAME --label-field NAME';

export const DEFAULT_MAX_LINE_BYTES = 100 * 1024 * 1024;

/** The format a file name or a declared `format` names, if either does. */
export function labelledFileFormat(
  declared: string | undefined,
  fileName = '',
): LabelledFileFormat | undefined {
  const d = (declared ?? '').toLowerCase();
  if (['jsonl', 'json-lines', 'ndjson'].includes(d)) return 'jsonl';
  if (d === 'csv') return 'csv';
  const name = fileName.toLowerCase();
  if (/\.(jsonl|ndjson)$/.test(name)) return 'jsonl';
  if (name.endsWith('.csv')) return 'csv';
  return undefined;
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Offset of the first byte of `bytes` that is not part of well-formed UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** CSV fields of a record, parsed across lines (a quoted field may span them). */
class CsvRecordReader {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private started = false;
  private recordBytes = 0;
  /** Line the open record started on (0: none open). */
  startLine = 0;

  /** Feeds one line (without its end); returns the record's fields when it ends on this line. */
  line(text: string, line: number, bytes: number, maxBytes: number): string[] | undefined {
    if (this.startLine === 0) this.startLine = line;
    this.recordBytes += bytes + 1;
    if (this.recordBytes > maxBytes) {
      throw new LabelledFileError(
        'line-too-long',
        `line ${this.startLine}: a quoted field opened here runs past ${formatBytes(maxBytes)} ` +
          `(the limit of one record)`,
        'close the quote (a `"` inside a field is written `""`) or split the record',
        this.startLine,
      );
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (this.quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else this.quoted = false;
        } else this.field += c;
      } else if (c === '"' && !this.started) {
        this.quoted = true;
        this.started = true;
      } else if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.started = false;
      } else {
        this.field += c;
        this.started = true;
      }
    }
    if (this.quoted) {
      this.field += '\n';
      return undefined;
    }
    this.fields.push(this.field);
    const fields = this.fields;
    this.fields = [];
    this.field = '';
    this.started = false;
    this.recordBytes = 0;
    return fields;
  }

  /** At the end of the file: the line of a quote never closed, if any. */
  openQuoteLine(): number | undefined {
    return this.quoted ? this.startLine : undefined;
  }

  resetStart(): void {
    this.startLine = 0;
  }
}

/**
 * Checks a labelled file pushed chunk by chunk; `end()` finishes and returns what was read. Throws
 * LabelledFileError at the first problem.
 */
export class LabelledFileChecker {
  private readonly format: LabelledFileFormat;
  private readonly textField: string;
  private readonly labelField: string;
  private readonly maxLineBytes: number;
  private readonly requireLabels: boolean;
  private readonly onRow: LabelledFileCheckOptions['onRow'];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Offset in the file of the pending line's first byte. */
  private lineStart = 0;
  private lineNumber = 0;
  private header: string[] | undefined;
  private readonly csv = new CsvRecordReader();
  private readonly fieldsSeen = new Set<string>();
  private rows = 0;
  private readonly labels = new Map<string, number>();

  constructor(options: LabelledFileCheckOptions) {
    this.format = options.format;
    this.textField = options.textField ?? 'text';
    this.labelField = options.labelField ?? 'label';
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.requireLabels = options.requireLabels ?? true;
    this.onRow = options.onRow;
  }

  push(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl;
      if (this.pendingBytes + (end - from) > this.maxLineBytes) this.tooLong();
      if (end > from) {
        this.pending.push(chunk.subarray(from, end));
        this.pendingBytes += end - from;
      }
      if (nl === -1) break;
      this.endLine();
      from = nl + 1;
    }
  }

  end(): LabelledFileSummary {
    if (this.pendingBytes > 0) this.endLine();
    const open = this.csv.openQuoteLine();
    if (this.format === 'csv' && open !== undefined) {
      throw new LabelledFileError(
        'csv-syntax',
        `line ${open}: a quoted field opened here is never closed`,
        'close the quote (a `"` inside a field is written `""`)',
        open,
      );
    }
    if (this.requireLabels) {
      if (this.rows === 0) {
        throw new LabelledFileError(
          'no-rows',
          this.format === 'csv' ? 'the file has a header but no rows' : 'the file has no rows',
          `add rows with a ${JSON.stringify(this.textField)} and a ${JSON.stringify(this.labelField)}`,
        );
      }
      if (this.labels.size < 2) {
        const [label] = [...this.labels.keys()];
        throw new LabelledFileError(
          'one-class',
          `one class only: all ${this.rows} rows have label ${JSON.stringify(label)}`,
          'a classifier needs at least two labels: add rows of another class',
        );
      }
    }
    return { rows: this.rows, fields: [...this.fieldsSeen], labels: this.labels };
  }

  private tooLong(): never {
    const line = this.lineNumber + 1;
    throw new LabelledFileError(
      'line-too-long',
      `line ${line} is longer than the limit of ${formatBytes(this.maxLineBytes)}`,
      'put one example per line (is the file a labelled CSV or JSONL with line breaks?)',
      line,
    );
  }

  private endLine(): void {
    this.lineNumber++;
    const line = this.lineNumber;
    let bytes = this.pending.length === 1 ? (this.pending[0] as Uint8Array) : Buffer.concat(this.pending);
    const start = this.lineStart;
    this.lineStart += this.pendingBytes + 1;
    this.pending = [];
    this.pendingBytes = 0;
    let bom = 0;
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
      bom = 3;
    }
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      // The decoder and this scan agree on what is well-formed; 0 only guards against a disagreement.
      const at = Math.max(0, firstInvalidUtf8(bytes));
      const inLine = bom + at;
      const offset = start + inLine;
      throw new LabelledFileError(
        'not-utf8',
        `line ${line}: byte ${inLine + 1} of the line (offset ${offset} in the file) is not UTF-8 ` +
          `(0x${(bytes[at] as number).toString(16).padStart(2, '0')})`,
        'save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`)',
        line,
        offset,
      );
    }
    if (this.format === 'jsonl') this.jsonLine(text, line);
    else this.csvLine(text, line, bytes.length);
  }

  private jsonLine(text: string, line: number): void {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new LabelledFileError(
        'not-json',
        `line ${line} is not JSON (${(err as Error).message})`,
        'write one JSON object per line, e.g. {"text": "...", "label": "..."}',
        line,
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new LabelledFileError(
        'not-object',
        `line ${line} is JSON but not an object`,
        'write one JSON object per line, e.g. {"text": "...", "label": "..."}',
        line,
      );
    }
    const fields = value as Record<string, unknown>;
    for (const name of Object.keys(fields)) this.fieldsSeen.add(name);
    this.row(fields, Object.keys(fields), line);
  }

  private csvLine(text: string, line: number, bytes: number): void {
    if (this.csv.startLine === 0 && text.trim() === '') return;
    const fields = this.csv.line(text, line, bytes, this.maxLineBytes);
    if (fields === undefined) return;
    const startLine = this.csv.startLine;
    this.csv.resetStart();
    if (this.header === undefined) {
      this.header = fields.map((f) => f.trim());
      for (const name of this.header) this.fieldsSeen.add(name);
      if (this.requireLabels) this.checkHeader(this.header, startLine);
      return;
    }
    if (fields.length !== this.header.length) {
      throw new LabelledFileError(
        'csv-syntax',
        `line ${startLine} has ${fields.length} fields, the header has ${this.header.length}`,
        'quote a field that contains a comma ("a, b"), and give every row one value per column',
        startLine,
      );
    }
    const header = this.header;
    this.row(Object.fromEntries(header.map((name, i) => [name, fields[i]])), header, startLine);
  }

  private checkHeader(header: string[], line: number): void {
    const missing = [this.textField, this.labelField].filter((f) => !header.includes(f));
    if (missing.length === 0) return;
    throw new LabelledFileError(
      'missing-fields',
      `line ${line}: the header has columns ${header.map((h) => JSON.stringify(h)).join(', ')}; ` +
        `expected ${JSON.stringify(this.textField)} and ${JSON.stringify(this.labelField)} ` +
        `(missing ${missing.map((m) => JSON.stringify(m)).join(', ')})`,
      `rename the columns (the first line is the header) to ${JSON.stringify(this.textField)} and ` +
        `${JSON.stringify(this.labelField)}, or name yours: ${NAME_FIELDS}`,
      line,
    );
  }

  private row(fields: Record<string, unknown>, names: string[], line: number): void {
    this.rows++;
    this.onRow?.(fields, line);
    if (!this.requireLabels) return;
    const missing = [this.textField, this.labelField].filter((f) => !(f in fields));
    if (missing.length > 0) {
      throw new LabelledFileError(
        'missing-fields',
        `line ${line} has fields ${names.map((n) => JSON.stringify(n)).join(', ') || '(none)'}; ` +
          `expected ${JSON.stringify(this.textField)} and ${JSON.stringify(this.labelField)} ` +
          `(missing ${missing.map((m) => JSON.stringify(m)).join(', ')})`,
        `give every line both fields, or name yours: ${NAME_FIELDS}`,
        line,
      );
    }
    const text = fields[this.textField];
    if (typeof text !== 'string' || text.trim() === '') {
      throw new LabelledFileError(
        'empty-text',
        `line ${line}: the ${JSON.stringify(this.textField)} field is empty`,
        'give the row its text or remove the line',
        line,
      );
    }
    const label = labelOf(fields[this.labelField]);
    if (label === undefined) {
      throw new LabelledFileError(
        'empty-label',
        `line ${line}: the ${JSON.stringify(this.labelField)} field is empty`,
        'give every row a label (a string or a number), or remove the unlabelled rows',
        line,
      );
    }
    this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
  }
}

/** A label's text: a non-blank string, a finite number or a boolean. */
function labelOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** Checks a whole labelled file from a stream of chunks (e.g. `fs.createReadStream(path)`). */
export async function checkLabelledFile(
  chunks: AsyncIterable<Uint8Array>,
  options: LabelledFileCheckOptions,
): Promise<LabelledFileSummary> {
  const checker = new LabelledFileChecker(options);
  for await (const chunk of chunks) checker.push(chunk);
  return checker.end();
}
