import { gzipSync } from 'node:zlib';
import { Code, HeadstartError } from '@headstart/errors';
import { ingest } from '@headstart/proto';
import { newCounters, readDocuments } from './upload-corpus';
import { uploadSettings } from './upload-settings';

const LIMITS = { maxCorpusBytes: 1 << 20, maxLineBytes: 1 << 16 };

type Meta = Partial<ingest.CorpusMetadata>;

function settings(meta: Meta) {
  return uploadSettings(
    ingest.CorpusMetadata.fromPartial({ datasetName: 'corpus', ...meta }),
    LIMITS.maxLineBytes,
  );
}

/** Feeds `data` in chunks of `chunk` bytes, so lines and gzip members straddle chunk boundaries. */
async function* chunked(data: Buffer, chunk: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
}

async function parse(data: string | Buffer, meta: Meta = {}, chunk = 7, limits = LIMITS) {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const counters = newCounters();
  const docs = [];
  for await (const doc of readDocuments(chunked(bytes, chunk), settings(meta), limits, counters))
    docs.push(doc);
  return { docs, counters, texts: docs.map((d) => d.text) };
}

async function failure(promise: Promise<unknown>): Promise<HeadstartError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HeadstartError);
    return err as HeadstartError;
  }
  throw new Error('expected a failure');
}

const { CORPUS_FORMAT_LINES: LINES, CORPUS_FORMAT_JSONL: JSONL } = ingest.CorpusFormat;

describe('formats', () => {
  it('text: paragraphs separated by blank lines, CRLF and a BOM handled, lines kept as written', async () => {
    const { docs, counters } = await parse(
      '\uFEFFFirst line\r\n  second line\r\n\r\n \t \n\nSecond doc\nend',
    );
    expect(docs.map((d) => [d.text, d.line])).toEqual([
      ['First line\n  second line', 1],
      ['Second doc\nend', 6],
    ]);
    expect(counters.lines).toBe(7);
  });

  it('lines: every non-blank line is a document', async () => {
    const { texts } = await parse('a b\n\nc\n   \nd\n', { format: LINES });
    expect(texts).toEqual(['a b', 'c', 'd']);
  });

  it('jsonl: the named field, with or without a split field', async () => {
    const data = '{"body":"one","s":"train"}\n\n{"body":"two","s":"validation","x":1}\n';
    expect((await parse(data, { format: JSONL, textField: 'body' })).texts).toEqual(['one', 'two']);
    const { docs } = await parse(data, { format: JSONL, textField: 'body', splitField: 's' });
    expect(docs.map((d) => d.split)).toEqual(['train', 'validation']);
  });

  it('gzip of either, detected by the magic bytes or declared', async () => {
    const plain = 'alpha\n\nbeta gamma\n';
    const gz = gzipSync(Buffer.from(plain));
    const detected = await parse(gz, {}, 5);
    expect(detected.texts).toEqual(['alpha', 'beta gamma']);
    expect(detected.counters.gzip).toBe(true);
    const declared = await parse(gzipSync('{"text":"x"}\n{"text":"y"}'), {
      format: JSONL,
      compression: ingest.Compression.COMPRESSION_GZIP,
    });
    expect(declared.texts).toEqual(['x', 'y']);
    // Declared uncompressed: the bytes are taken as they are (and are not UTF-8 here).
    const raw = await failure(parse(gz, { compression: ingest.Compression.COMPRESSION_NONE }));
    expect(raw.message).toMatch(/line 1: not valid UTF-8/);
  });
});

describe('bad input gets INVALID_ARGUMENT naming the line', () => {
  it('invalid UTF-8', async () => {
    const data = Buffer.concat([
      Buffer.from('ok\nfine\n\nbad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(' here\n'),
    ]);
    const err = await failure(parse(data));
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.message).toBe('line 4: not valid UTF-8');
    expect(err.details).toEqual({ line: '4' });
  });

  it('a line over the limit, refused before it is buffered whole', async () => {
    const limits = { maxCorpusBytes: 1 << 30, maxLineBytes: 1 << 16 };
    const meta = { maxLineBytes: 100 };
    const err = await failure(parse(`short\n${'x'.repeat(101)}\n`, meta, 7, limits));
    expect(err.message).toBe('line 2: longer than the limit of 100 bytes');
    const exact = await parse(`short\n${'x'.repeat(100)}\r\n`, { ...meta, format: LINES }, 7, limits);
    expect(exact.texts).toEqual(['short', 'x'.repeat(100)]);
    // An endless line: the error comes while it streams in, after about the limit, not at its end.
    let fed = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        fed += 64;
        yield Buffer.alloc(64, 0x61);
      }
    }
    const counters = newCounters();
    const docs = readDocuments(endless(), settings(meta), limits, counters);
    await expect(docs.next()).rejects.toThrow('line 1: longer than the limit of 100 bytes');
    expect(fed).toBeLessThan(300);
  });

  it('JSONL: invalid JSON, not an object, a missing or non-string field, a bad split', async () => {
    const jsonl = { format: JSONL };
    expect((await failure(parse('{"text":"a"}\n{oops\n', jsonl))).message).toMatch(/^line 2: not valid JSON/);
    expect((await failure(parse('[1,2]\n', jsonl))).message).toBe(
      'line 1: expected a JSON object, got an array',
    );
    const missing = await failure(parse('{"text":"a"}\n\n{"body":"b"}\n', jsonl));
    expect(missing.message).toBe('line 3: field "text" is missing');
    expect(missing.details).toEqual({ line: '3', field: 'text' });
    expect((await failure(parse('{"text":5}\n', jsonl))).message).toBe(
      'line 1: field "text" is a number, not a string',
    );
    const split = await failure(parse('{"text":"a","s":"test"}\n', { ...jsonl, splitField: 's' }));
    expect(split.message).toBe('line 1: field "s" must be "train" or "validation", got "test"');
  });

  it('corrupt gzip, and declared gzip that is not', async () => {
    const gz = gzipSync(Buffer.from('some text that compresses\n'.repeat(50)));
    const err = await failure(parse(gz.subarray(0, gz.length - 20)));
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.message).toMatch(/gzip data is corrupt or truncated/);
    const declared = await failure(parse('plain', { compression: ingest.Compression.COMPRESSION_GZIP }));
    expect(declared.details).toEqual({ field: 'compression' });
  });

  it('a text paragraph bigger than the document limit', async () => {
    const limits = { maxCorpusBytes: 1 << 20, maxLineBytes: 50 };
    const err = await failure(parse(`a\n\n${'word word\n'.repeat(10)}`, {}, 7, limits));
    expect(err.message).toMatch(/^line 3: the document starting here is longer than 50 bytes/);
  });

  it('a corpus bigger than the server limit is RESOURCE_EXHAUSTED', async () => {
    const err = await failure(parse('x\n'.repeat(100), {}, 7, { maxCorpusBytes: 50, maxLineBytes: 100 }));
    expect(err.code).toBe(Code.RESOURCE_EXHAUSTED);
  });
});

describe('upload settings', () => {
  const bad = (meta: Meta): HeadstartError => {
    try {
      settings(meta);
    } catch (err) {
      return err as HeadstartError;
    }
    throw new Error('expected INVALID_ARGUMENT');
  };

  it('applies defaults', () => {
    expect(settings({})).toMatchObject({
      format: 'text',
      compression: 'auto',
      textField: 'text',
      validationFraction: 0.05,
      // 4 MiB, capped by the server's limit.
      maxLineBytes: LIMITS.maxLineBytes,
    });
    expect(settings({ validationFraction: 0 }).validationFraction).toBe(0);
  });

  it('names the field of every bad option', () => {
    expect(bad({ datasetName: '' }).details).toEqual({ field: 'dataset_name' });
    expect(bad({ datasetName: 'Bad Name' }).details).toEqual({ field: 'dataset_name' });
    expect(bad({ validationFraction: 1 }).details).toEqual({ field: 'validation_fraction' });
    expect(bad({ validationFraction: -0.1 }).details).toEqual({ field: 'validation_fraction' });
    expect(bad({ textField: 'body' }).details).toEqual({ field: 'text_field' });
    expect(bad({ format: JSONL, splitField: 's', validationFraction: 0.1 }).details).toEqual({
      field: 'validation_fraction',
    });
    expect(bad({ format: 99 as ingest.CorpusFormat }).details).toEqual({ field: 'format' });
    expect(bad({ maxLineBytes: LIMITS.maxLineBytes + 1 }).details).toEqual({ field: 'max_line_bytes' });
    expect(bad({ tags: ['ok', 'not ok'] }).details).toEqual({ field: 'tags' });
  });
});
