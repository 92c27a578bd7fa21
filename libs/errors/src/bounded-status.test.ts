import {
  MAX_DETAILS_WIRE_BYTES,
  MAX_STATUS_MESSAGE_BYTES,
  boundText,
  invalidArgument,
  readDetailMetadata,
  toServiceError,
} from './index';

/** The size of the trailers grpc-js would send for this status (grpc-message is encodeURI'd). */
function trailerBytes(status: ReturnType<typeof toServiceError>): number {
  let size = encodeURI(status.details).length;
  for (const [key, values] of Object.entries(status.metadata.toHttp2Headers())) {
    size += key.length + String(values).length;
  }
  return size;
}

describe('boundText', () => {
  it('keeps text that fits', () => {
    expect(boundText('model_name "x" is invalid', 64)).toBe('model_name "x" is invalid');
  });

  it('cuts long text to the byte budget and says how long it was', () => {
    const out = boundText('a'.repeat(300_000), 1024);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1024);
    expect(out).toMatch(/^a+… \[cut from 300000 characters\]$/);
  });

  it('counts bytes, not characters, and never splits a surrogate pair', () => {
    for (const unit of ['é', '語', '😀']) {
      const out = boundText(unit.repeat(10_000), 100);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(100);
      expect(() => encodeURI(out)).not.toThrow();
      expect(out.startsWith(unit)).toBe(true);
    }
  });

  it('replaces lone surrogates, which encodeURI would throw on', () => {
    const out = boundText('bad \ud800 here \udc00', 64);
    expect(out).toBe('bad \ufffd here \ufffd');
    expect(() => encodeURI(out)).not.toThrow();
  });
});

describe('toServiceError bounds every status', () => {
  it('cuts a huge message echoing a client value', () => {
    const status = toServiceError(
      invalidArgument(`model_name ${JSON.stringify('x'.repeat(300_000))} is invalid`),
    );
    expect(Buffer.byteLength(status.details)).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_BYTES);
    expect(status.details).toMatch(/^model_name "x+… \[cut from 300024 characters\]$/);
    expect(status.message).toBe(status.details);
  });

  it('bounds detail values, keys and their number', () => {
    const details: Record<string, string> = { field: 'name', value: '語'.repeat(100_000) };
    for (let i = 0; i < 1000; i++) details[`k${i}`.repeat(50)] = 'v'.repeat(1000);
    const status = toServiceError(invalidArgument('bad', details));
    const back = readDetailMetadata(status.metadata) ?? {};
    expect(back['field']).toBe('name');
    expect(Buffer.byteLength(back['value'] ?? '')).toBeLessThanOrEqual(256);
    const wire = Object.entries(status.metadata.toHttp2Headers()).reduce(
      (n, [k, v]) => n + k.length + String(v).length,
      0,
    );
    expect(wire).toBeLessThanOrEqual(MAX_DETAILS_WIRE_BYTES);
  });

  it('keeps the trailers of any status under 8 KiB', () => {
    const huge = '😀語\ud800'.repeat(100_000);
    const status = toServiceError(invalidArgument(huge, { [huge]: huge, field: huge }));
    expect(trailerBytes(status)).toBeLessThan(8 * 1024);
  });
});
