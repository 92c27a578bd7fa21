// Test helpers: run the same computation on the reference 'cpu' backend and on 'headstart-cpu' from
// identical input data, and compare results within a relative tolerance.
import { selectBackend } from '../select_backend';
import { tf } from '../tf';
import { NATIVE_BACKEND_NAME } from '../kernels/util';

export type Build = (
  make: (values: Float32Array | Int32Array, shape: number[]) => tf.Tensor,
) => tf.Tensor | tf.Tensor[];

let ready: Promise<unknown> | undefined;

/** Registers the native backend once per test file (throws if the addon is not built). */
export async function nativeReady(): Promise<void> {
  // IS_TEST makes the engine check every kernel for leaked data ids (and silences the cpu banner).
  tf.env().set('IS_TEST', true);
  ready ??= selectBackend({ backend: 'cpu', threads: 2 }).then((info) => {
    if (info.name !== NATIVE_BACKEND_NAME)
      throw new Error(`native backend unavailable: ${JSON.stringify(info.details)}`);
  });
  await ready;
}

/** Runs `build` on `backend`; tensors are created there from the given data, results read back. */
export async function runOn(
  backend: string,
  build: Build,
): Promise<{ shape: number[]; values: Float32Array }[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(() => {
    const out = build((values, shape) =>
      tf.tensor(values.slice(), shape, values instanceof Int32Array ? 'int32' : 'float32'),
    );
    return Array.isArray(out) ? out : [out];
  });
  const read = results.map((t) => ({ shape: t.shape.slice(), values: Float32Array.from(t.dataSync()) }));
  tf.dispose(results);
  return read;
}

/** Largest |a - e| / (rtol-scaled bound) over all elements: <= 1 means within tolerance. */
export function closeness(actual: Float32Array, expected: Float32Array, rtol: number, minScale = 0): number {
  let scale = minScale;
  for (const v of expected) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return Infinity;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return Infinity;
      continue;
    }
    // Relative to the element, with a floor relative to the tensor's scale (for values near zero).
    const bound = rtol * (Math.abs(e) + scale) + 1e-30;
    worst = Math.max(worst, Math.abs(a - e) / bound);
  }
  return worst;
}

/** Runs `build` on both backends and expects equal shapes and values within `rtol`. */
export async function expectMatchesCpu(build: Build, rtol = 1e-5): Promise<void> {
  await nativeReady();
  const expected = await runOn('cpu', build);
  const actual = await runOn(NATIVE_BACKEND_NAME, build);
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as { shape: number[]; values: Float32Array };
    expect(a.shape).toEqual(e.shape);
    expect(closeness(a.values, e.values, rtol)).toBeLessThanOrEqual(1);
  });
}

/** Deterministic pseudo-random floats in [-scale, scale) (mulberry32), so failures reproduce. */
export function randomFloats(size: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

export function randomInts(size: number, seed: number, max: number): Int32Array {
  const f = randomFloats(size, seed, 1);
  return Int32Array.from(f, (v) => Math.min(max - 1, Math.floor(((v + 1) / 2) * max)));
}
