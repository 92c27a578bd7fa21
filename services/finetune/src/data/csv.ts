// RFC 4180 CSV: comma-separated, fields optionally in double quotes (a quote inside is doubled), records
// end with LF or CRLF, and a quoted field may span lines. The first record is the header.

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

/** Parses CSV text into objects keyed by the header. Empty lines are skipped. */
export function parseCsv(text: string): {
  header: string[];
  rows: Record<string, string>[];
  lines: number[];
} {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
  };
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvFormatError(`unterminated quoted field starting on line ${recordLine}`);
  if (field !== '' || fields.length > 0) endRecord();
  const [head, ...body] = records;
  if (!head) return { header: [], rows: [], lines: [] };
  const header = head.fields.map((h) => h.trim());
  const rows = body.map(({ fields: values, line: at }) => {
    if (values.length !== header.length) {
      throw new CsvFormatError(`line ${at} has ${values.length} fields, the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((name, i) => [name, values[i] as string]));
  });
  return { header, rows, lines: body.map((r) => r.line) };
}
