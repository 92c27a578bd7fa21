import {
  LabelledFileChecker,
  LabelledFileError,
  checkLabelledFile,
  firstInvalidUtf8,
  labelledFileFormat,
  type LabelledFileCheckOptions,
} from './labelled-file';

async function* chunked(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function refusal(
  content: string | Buffer,
  options: LabelledFileCheckOptions,
  chunk = 3,
): Promise<LabelledFileError> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  try {
    await checkLabelledFile(chunked(bytes, chunk), options);
  } catch (err) {
    expect(err).toBeInstanceOf(LabelledFileError);
    return err as LabelledFileError;
  }
  throw new Error('expected a LabelledFileError');
}

const csv = { format: 'csv' } as const;
const jsonl = { format: 'jsonl' } as const;

describe('labelled file check', () => {
  it('accepts CSV (quoted commas, newlines, CRLF, BOM) and JSONL, with the label counts', async () => {
    const text = '\ufefftext,label\r\n"a, ""b""",x\r\n"two\nlines",y\n\nplain,y\n';
    const summary = await checkLabelledFile(chunked(Buffer.from(text), 2), csv);
    expect(summary.rows).toBe(3);
    expect(summary.fields).toEqual(['text', 'label']);
    expect([...summary.labels]).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    const lines = '{"text":"a","label":1}\n{"text":"b","label":0}\n';
    expect((await checkLabelledFile(chunked(Buffer.from(lines), 5), jsonl)).rows).toBe(2);
  });

  it('names the header it found and the columns expected', async () => {
    const err = await refusal('body,category\nhi,a\n', csv);
    expect(err.kind).toBe('missing-fields');
    expect(err.message).toBe(
      'line 1: the header has columns "body", "category"; expected "text" and "label" (missing "text", ' +
        '"label"); rename the columns (the first line is the header) to "text" and "label", or name yours: ' +
        'upload with --meta text_field=NAME --meta label_field=NAME and fine-tune with --text-field NAME ' +
        '--label-field NAME',
    );
    const named = await checkLabelledFile(chunked(Buffer.from('body,category\nhi,a\nho,b\n'), 4), {
      ...csv,
      textField: 'body',
      labelField: 'category',
    });
    expect(named.rows).toBe(2);
  });

  it('names the JSONL line without a field, with an empty label, or not JSON', async () => {
    expect((await refusal('{"text":"a","label":"x"}\n{"text":"b"}\n', jsonl)).message).toMatch(
      /^line 2 has fields "text"; expected "text" and "label" \(missing "label"\); /,
    );
    const empty = await refusal('text,label\na,x\nb, \n', csv);
    expect([empty.kind, empty.line]).toEqual(['empty-label', 3]);
    expect(empty.message).toMatch(/^line 3: the "label" field is empty; give every row a label/);
    const bad = await refusal('{"text":"a","label":"x"}\n{oops\n', jsonl);
    expect([bad.kind, bad.line]).toEqual(['not-json', 2]);
    expect(bad.message).toMatch(/^line 2 is not JSON \(.*\); write one JSON object per line/);
    expect((await refusal('[1]\n', jsonl)).kind).toBe('not-object');
  });

  it('refuses one class only, and no rows', async () => {
    const err = await refusal('text,label\na,x\nb,x\n', csv);
    expect(err.message).toBe(
      'one class only: all 2 rows have label "x"; a classifier needs at least two labels: add rows of another class',
    );
    expect((await refusal('text,label\n', csv)).kind).toBe('no-rows');
  });

  it('names the line and byte offset of bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('text,label\nok,a\ncaf'),
      Buffer.from([0xe9]),
      Buffer.from(',b\n'),
    ]);
    const err = await refusal(bytes, csv);
    expect([err.kind, err.line, err.byteOffset]).toEqual(['not-utf8', 3, 19]);
    expect(err.message).toMatch(
      /^line 3: byte 4 of the line \(offset 19 in the file\) is not UTF-8 \(0xe9\); save/,
    );
    expect(firstInvalidUtf8(Buffer.from('héllo'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // a surrogate
  });

  it('refuses a line over the bound without holding more than it', async () => {
    const err = await refusal(`text,label\na,x\n${'z'.repeat(100)},y\n`, { ...csv, maxLineBytes: 64 }, 7);
    expect([err.kind, err.line]).toEqual(['line-too-long', 3]);
    expect(err.message).toMatch(/^line 3 is longer than the limit of 64 bytes; /);
    const checker = new LabelledFileChecker({ ...csv, maxLineBytes: 1024 ** 2 });
    checker.push(Buffer.from('text,label\n'));
    expect(() => checker.push(Buffer.alloc(1024 ** 2 + 1, 0x61))).toThrow(
      /line 2 is longer than the limit of 1 MiB/,
    );
  });

  it('CSV: a row with the wrong number of fields and a quote never closed name their line', async () => {
    expect((await refusal('text,label\na,b,c\n', csv)).message).toMatch(
      /^line 2 has 3 fields, the header has 2; /,
    );
    expect((await refusal('text,label\n"open,x\nmore\n', csv)).message).toMatch(
      /^line 2: a quoted field opened here is never closed; /,
    );
  });

  it('without requireLabels checks only bytes, lines and syntax', async () => {
    const summary = await checkLabelledFile(chunked(Buffer.from('{"body":"a"}\n'), 4), {
      ...jsonl,
      requireLabels: false,
    });
    expect(summary).toMatchObject({ rows: 1, fields: ['body'] });
  });

  it('reads the format from a declared format or the file name', () => {
    expect(labelledFileFormat('jsonl')).toBe('jsonl');
    expect(labelledFileFormat(undefined, 'x.CSV')).toBe('csv');
    expect(labelledFileFormat(undefined, 'x.txt')).toBeUndefined();
  });
});
