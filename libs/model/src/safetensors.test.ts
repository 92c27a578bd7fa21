import { loadSafetensors, saveSafetensors } from './safetensors';

/** Reads the header the way the format spec describes it, without our loader. */
interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function parseHeader(buffer: Buffer): {
  length: number;
  header: Record<string, HeaderEntry | Record<string, string>>;
} {
  const length = Number(buffer.readBigUInt64LE(0));
  return { length, header: JSON.parse(buffer.subarray(8, 8 + length).toString('utf8')) };
}

describe('safetensors', () => {
  const tensors = {
    'b.weight': { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-20, -Infinity]) },
    'a.bias': { shape: [3], data: Float32Array.from([0.1, 0.2, NaN]) },
    scalar: { shape: [], data: Float32Array.from([42]) },
  };

  it('writes the documented layout: u64 LE header length, space-padded JSON, raw LE float32 data', () => {
    const buffer = saveSafetensors(tensors, { format: 'pt', note: 'héllo' });
    const { length, header } = parseHeader(buffer);
    expect(length % 8).toBe(0);
    expect(buffer.subarray(8, 8 + length).toString('utf8')).toMatch(/^\{.*\} *$/);
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'héllo' });
    expect(header['a.bias']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [0, 12] });
    expect(header['b.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [12, 36] });
    expect(header.scalar).toEqual({ dtype: 'F32', shape: [], data_offsets: [36, 40] });
    expect(buffer.length).toBe(8 + length + 40);
    const data = buffer.subarray(8 + length);
    expect(data.readFloatLE(12 + 8)).toBe(3.5);
    expect(data.readFloatLE(36)).toBe(42);
  });

  it('round-trips byte-exactly, including NaN, infinities and denormals', () => {
    const buffer = saveSafetensors(tensors, { format: 'pt' });
    const loaded = loadSafetensors(buffer);
    expect(loaded.metadata).toEqual({ format: 'pt' });
    for (const [name, { shape, data }] of Object.entries(tensors)) {
      expect(loaded.tensors[name]?.shape).toEqual(shape);
      expect(Buffer.from(loaded.tensors[name]!.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    }
    expect(saveSafetensors(loaded.tensors, loaded.metadata).equals(buffer)).toBe(true);
  });

  it('reads F16, BF16 and F64 tensors as float32', () => {
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
      d: { dtype: 'F64', shape: [1], data_offsets: [10, 18] },
    });
    const data = Buffer.alloc(18);
    [0x3c00, 0xc000, 0x3555].forEach((h, i) => data.writeUInt16LE(h, 2 * i)); // 1, -2, ≈1/3
    [0x3f80, 0x4049].forEach((b, i) => data.writeUInt16LE(b, 6 + 2 * i)); // 1, 3.140625
    data.writeDoubleLE(0.1, 10);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const { tensors: t } = loadSafetensors(Buffer.concat([length, Buffer.from(header), data]));
    expect([...t.h!.data]).toEqual([1, -2, expect.closeTo(1 / 3, 3)]);
    expect([...t.b!.data]).toEqual([1, 3.140625]);
    expect(t.d!.data[0]).toBeCloseTo(0.1, 7);
  });

  it('rejects malformed files with a message naming the problem', () => {
    const good = saveSafetensors(tensors);
    const withHeader = (header: object, dataLength: number) => {
      const json = Buffer.from(JSON.stringify(header));
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(json.length));
      return Buffer.concat([length, json, Buffer.alloc(dataLength)]);
    };
    expect(() => loadSafetensors(good.subarray(0, 4))).toThrow(/shorter/);
    expect(() => loadSafetensors(good.subarray(0, 20))).toThrow(/header length/);
    expect(() => loadSafetensors(good.subarray(0, good.length - 4))).toThrow(/cover 40 bytes of a 36-byte/);
    expect(() =>
      loadSafetensors(withHeader({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8)),
    ).toThrow(/tensor x has dtype "I64"/);
    expect(() =>
      loadSafetensors(withHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8)),
    ).toThrow(/tensor x spans 8 bytes/);
    expect(() =>
      loadSafetensors(
        withHeader(
          {
            x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
            y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          8,
        ),
      ),
    ).toThrow(/starts at byte 4, expected 0/);
    expect(() => saveSafetensors({ bad: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /tensor bad: shape \[2,2\]/,
    );
  });
});
